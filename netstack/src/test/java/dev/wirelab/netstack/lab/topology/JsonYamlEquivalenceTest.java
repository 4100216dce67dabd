package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The REST shape (JSON) and the file shape (YAML) are the same model. */
class JsonYamlEquivalenceTest {

    static final String YAML = """
            name: twin
            segments: [lan, {name: core, vni: 9, mtu: 576}]
            nodes:
              pc1:
                kind: host
                interfaces:
                  eth0: { segment: lan, address: 10.0.1.10/24, mac: "02:00:00:00:01:10" }
                routes: [ { to: default, via: 10.0.1.1 } ]
              r1:
                kind: router
                forwarding: false
                interfaces:
                  eth0: { segment: lan, address: 10.0.1.1/24, mtu: 1400 }
                  eth1: { segment: core, dhcp: true }
                routes: [ { to: 10.9.0.0/16, dev: eth1 } ]
            links:
              core: { delay: 5ms, jitter: 1ms, loss: 2%, duplicate: 0.001, reorder: 0.1, corrupt: 0.0001, rate: 2mbit }
            external:
              - { segment: core, remote: "10.255.0.2:4790" }
            bus: { bind: 127.0.0.1, port: 14789 }
            seed: -7
            """;

    static final String JSON = """
            {
              "name": "twin",
              "segments": ["lan", {"name": "core", "vni": 9, "mtu": 576}],
              "nodes": {
                "pc1": {
                  "kind": "host",
                  "interfaces": {"eth0": {"segment": "lan", "address": "10.0.1.10/24", "mac": "02:00:00:00:01:10"}},
                  "routes": [{"to": "default", "via": "10.0.1.1"}]
                },
                "r1": {
                  "kind": "router",
                  "forwarding": false,
                  "interfaces": {
                    "eth0": {"segment": "lan", "address": "10.0.1.1/24", "mtu": 1400},
                    "eth1": {"segment": "core", "dhcp": true}
                  },
                  "routes": [{"to": "10.9.0.0/16", "dev": "eth1"}]
                }
              },
              "links": {"core": {"delay": "5ms", "jitter": "1ms", "loss": "2%", "duplicate": 0.001,
                                 "reorder": 0.1, "corrupt": 0.0001, "rate": "2mbit"}},
              "external": [{"segment": "core", "remote": "10.255.0.2:4790"}],
              "bus": {"bind": "127.0.0.1", "port": 14789},
              "seed": -7
            }
            """;

    @Test
    void jsonAndYamlGiveEqualModels() {
        Topology fromYaml = Topologies.parseYaml(YAML);
        Topology fromJson = Topologies.parseJson(JSON);
        assertThat(fromJson).isEqualTo(fromYaml);
        // Spot checks that both really read everything.
        assertThat(fromYaml.segments()).containsExactly(SegmentSpec.of("lan", 1), new SegmentSpec("core", 9, 576));
        assertThat(fromYaml.nodes().get("r1").forwarding()).isFalse();
        assertThat(fromYaml.nodes().get("r1").interfaces().get("eth1").dhcp()).isTrue();
        assertThat(fromYaml.link("core")).isEqualTo(new LinkSpec(5_000_000, 1_000_000, 0.02, 0.001, 0.1, 0.0001, 2_000_000));
        assertThat(fromYaml.external()).containsExactly(new ExternalPortSpec("ext1", "core", "10.255.0.2", 4790));
        assertThat(fromYaml.seed()).isEqualTo(-7L);
    }

    @Test
    void writtenFormsReadBackEqual() {
        Topology t = Topologies.parseYaml(YAML);
        assertThat(Topologies.parseJson(Topologies.toJson(t))).isEqualTo(t);
        assertThat(Topologies.parseYaml(Topologies.toYaml(t))).isEqualTo(t);
        assertThat(Topologies.toTree(t).get("segments").get(1).get("mtu").asInt()).isEqualTo(576);
    }

    @Test
    void sameMistakeSamePathInBothFormats() {
        List<Problem> y = Topologies.checkYaml(YAML.replace("segment: lan, address: 10.0.1.10/24", "segment: lam, address: 10.0.1.10/24"));
        List<Problem> j = Topologies.checkJson(JSON.replace("\"segment\": \"lan\", \"address\": \"10.0.1.10/24\"",
                "\"segment\": \"lam\", \"address\": \"10.0.1.10/24\""));
        assertThat(y).extracting(Problem::path, Problem::message)
                .containsExactlyElementsOf(j.stream().map(p -> org.assertj.core.groups.Tuple.tuple(p.path(), p.message())).toList());
        assertThat(y).singleElement().extracting(Problem::path).isEqualTo("nodes.pc1.interfaces.eth0.segment");
    }

    /** Names YAML would otherwise read as numbers, booleans or null survive writing and reading. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1", "1.5", "1e3", "true", "null", "Null", "yes", "on",
            "0x10", "0o17", "-", "1_000", "NaN", ".inf", ".nan", "-.5", "0.0.1"})
    void numberLikeNamesSurviveARoundTrip(String n) {
        String q = "\"" + n + "\"";
        String yaml = "name: " + q + "\nsegments: [" + q + "]\nnodes: {" + q + ": {kind: host, interfaces: {"
                + q + ": {segment: " + q + "}}}}\nlinks: {" + q + ": {delay: 1ms}}\n";
        Topology t = Topologies.parseYaml(yaml);
        assertThat(t.name()).isEqualTo(n);
        assertThat(Topologies.parseYaml(Topologies.toYaml(t))).isEqualTo(t);
        assertThat(Topologies.parseJson(Topologies.toJson(t))).isEqualTo(t);
    }

    @Test
    void aBadSegmentNameIsReportedOnceNotAtEveryReference() {
        List<Problem> ps = Topologies.checkYaml("name: t\nsegments: [\"a b\"]\n"
                + "nodes: {x: {kind: host, interfaces: {e: {segment: \"a b\"}}}}\nlinks: {\"a b\": {loss: 0.1}}\n");
        assertThat(ps).singleElement().extracting(Problem::path).isEqualTo("segments[0]");
    }
}
