package dev.wirelab.nodeservice.protocol;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.WebKind;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node's configuration reaches its container whole, compressed when large, or is refused with the reason. */
class NodeApiTest {

    static Map<String, String> env(String entry) {
        int eq = entry.indexOf('=');
        return Map.of(entry.substring(0, eq), entry.substring(eq + 1));
    }

    @Test
    void smallConfigurationsTravelAsJson() {
        String json = "{\"node\":\"pc1\"}";
        String entry = NodeApi.configEnvEntry("pc1", json);
        assertThat(entry).isEqualTo(NodeApi.CONFIG_ENV + "=" + json);
        assertThat(NodeApi.configFromEnv(env(entry))).isEqualTo(json);
    }

    @Test
    void largeConfigurationsTravelCompressedAndComeBackTheSame() {
        String json = "{\"files\":\"" + "<p>lab</p>".repeat(30_000) + "\"}"; // 300 kB, above Linux's 128 KiB per variable
        String entry = NodeApi.configEnvEntry("web", json);
        assertThat(entry).startsWith(NodeApi.CONFIG_GZIP_ENV + "=");
        assertThat(entry.length()).isLessThan(NodeApi.MAX_ENV_ENTRY);
        assertThat(NodeApi.configFromEnv(env(entry))).isEqualTo(json);
    }

    @Test
    void aConfigurationTooLargeEvenCompressedIsRefusedWithTheReason() {
        byte[] noise = new byte[200_000];
        new Random(1).nextBytes(noise);
        String json = "{\"files\":\"" + java.util.HexFormat.of().formatHex(noise) + "\"}";
        assertThatThrownBy(() -> NodeApi.configEnvEntry("web", json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node web's configuration is 390 KiB")
                .hasMessageContaining("make the node's files smaller");
        assertThatThrownBy(() -> NodeApi.configFromEnv(Map.of(NodeApi.CONFIG_GZIP_ENV, "not base64!")))
                .hasMessageStartingWith("bad node configuration: " + NodeApi.CONFIG_GZIP_ENV);
    }

    @Test
    void eachContainerGetsOnlyItsOwnFiles() {
        String yaml = """
                name: two-sites
                segments: [lan]
                nodes:
                  a:
                    kind: web
                    interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } }
                    files: { /var/www/index.html: "site a" }
                  b:
                    kind: web
                    interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } }
                    files: { /var/www/index.html: "site b" }
                """;
        String json = Topologies.toJson(Topologies.parseYaml(yaml));
        var forA = Topologies.parseJson(NodeConfig.topologyFor(json, "a"));
        assertThat(((WebKind.Settings) forA.nodes().get("a").settings()).files()).containsEntry("/var/www/index.html", "site a");
        assertThat(((WebKind.Settings) forA.nodes().get("b").settings()).files()).isEmpty();
        assertThat(forA.nodes().keySet()).containsExactly("a", "b");
    }
}
