package dev.wirelab.control.labs;

import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VtepPolicyTest {

    static final VtepPolicy POLICY = new VtepPolicy(List.of("127.0.0.0/8", "10.255.91.1/24"), List.of("4789", "10000-10100"));

    static String lab(String remote, String bus) {
        return """
                name: aimed
                segments: [ { name: lan, vni: 42 } ]
                nodes:
                  h1: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }
                external:
                  - { name: linux, segment: lan, remote: "%s" }
                %s
                """.formatted(remote, bus);
    }

    static List<Problem> check(String remote, String bus) {
        return POLICY.check(Topologies.parseYaml(lab(remote, bus)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:4789     | bus: { bind: 127.0.0.1, port: 4789 }",
            "127.9.9.9:10000    | bus: { bind: 127.0.0.1, port: 10100 }",
            "10.255.91.200:4789 | bus: { bind: 10.255.91.1, port: 4789 }", // the setting's host bits are ignored
            "localhost:4789     | bus: { bind: 127.0.0.1 }",
            "127.0.0.1:4789     | ''"})
    void allowedVtepsAndBindsPass(String remote, String bus) {
        assertThat(check(remote, bus)).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "8.8.8.8:4789        | ''                                     | external[0].remote | 8.8.8.8: allowed are 127.0.0.0/8, 10.255.91.0/24 (setting wirelab.vxlan.allowed-networks)",
            "127.0.0.1:5432      | ''                                     | external[0].remote | port 5432: allowed are 4789, 10000-10100 (setting wirelab.vxlan.allowed-ports)",
            "127.0.0.1:10101     | ''                                     | external[0].remote | wirelab.vxlan.allowed-ports",
            "255.255.255.255:53  | ''                                     | external[0].remote | not one machine's unicast address",
            "224.0.0.251:4789    | ''                                     | external[0].remote | not one machine's unicast address",
            "0.0.0.0:4789        | ''                                     | external[0].remote | not one machine's unicast address",
            "no-such-host.invalid:4789 | ''                               | external[0].remote | does not resolve",
            "127.0.0.1:4789      | 'bus: { bind: 0.0.0.0 }'               | bus.bind           | 0.0.0.0 (every interface): allowed are",
            "127.0.0.1:4789      | 'bus: { bind: 10.255.92.1 }'           | bus.bind           | wirelab.vxlan.allowed-networks",
            "127.0.0.1:4789      | 'bus: { bind: 127.0.0.1, port: 53 }'   | bus.port           | UDP port 53: allowed are 4789, 10000-10100"})
    void everythingElseIsAProblemNamingFieldAndSetting(String remote, String bus, String path, String message) {
        List<Problem> problems = check(remote, bus);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).path()).isEqualTo(path);
        assertThat(problems.get(0).message()).contains(message);
    }

    @Test
    void aLabWithoutExternalPortsMayBindAnywhere() {
        // Without external ports the bus opens no VXLAN socket for a topology's sake.
        String noExternal = """
                name: inside
                segments: [lan]
                nodes:
                  h1: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }
                bus: { bind: 0.0.0.0, port: 53 }
                """;
        assertThat(POLICY.check(Topologies.parseYaml(noExternal))).isEmpty();
    }

    @Test
    void badSettingsSayWhichSettingAndWhy() {
        assertThatThrownBy(() -> new VtepPolicy(List.of("10.0.0.0/33"), List.of("4789")))
                .hasMessageContaining("wirelab.vxlan.allowed-networks: '10.0.0.0/33'");
        assertThatThrownBy(() -> new VtepPolicy(List.of("127.0.0.0/8"), List.of("70000")))
                .hasMessageContaining("wirelab.vxlan.allowed-ports: '70000'");
        assertThatThrownBy(() -> new VtepPolicy(List.of("127.0.0.0/8"), List.of("200-100")))
                .hasMessageContaining("wirelab.vxlan.allowed-ports: '200-100'");
    }
}
