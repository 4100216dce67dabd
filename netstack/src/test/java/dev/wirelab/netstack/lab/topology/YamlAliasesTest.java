package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Anchors and aliases (YAML 1.2 section 3.2.2.2) work as docs/topology.md says, within bounds. */
class YamlAliasesTest {

    @Test
    void anAliasedScalarIsTheAnchoredValue() {
        // The exact case: a segment name anchored in the list and used by alias.
        String yaml = """
                name: aliases
                segments: [&s lan]
                nodes:
                  pc1: { kind: host, interfaces: { eth0: { segment: *s, address: 10.0.1.10/24 } } }
                  pc2: { kind: host, interfaces: { eth0: { segment: *s, address: 10.0.1.11/24 } } }
                """;
        assertThat(Topologies.checkYaml(yaml)).isEmpty();
        Topology t = Topologies.parseYaml(yaml);
        assertThat(t.nodes().get("pc2").interfaces().get("eth0").segment()).isEqualTo("lan");
    }

    @Test
    void scalarAnchorsWorkBesideTagsInEitherOrderAndInBlockStyle() {
        String yaml = """
                name: aliases
                segments:
                  - !!str &a lan
                  - &b !!str core
                  - &c 'edge'
                nodes:
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: *a, address: 10.0.1.1/24 }
                      eth1: { segment: *b, address: 10.0.0.1/30 }
                      eth2: { segment: *c, address: 10.0.2.1/24 }
                """;
        assertThat(Topologies.checkYaml(yaml)).isEmpty();
        Topology t = Topologies.parseYaml(yaml);
        assertThat(t.nodes().get("r1").interfaces().values()).extracting(InterfaceSpec::segment)
                .containsExactly("lan", "core", "edge");
    }

    @Test
    void anAliasedMappingIsCopiedAndItsProblemsAreReportedAtTheAlias() {
        String yaml = """
                name: aliases
                segments: [lan, core]
                nodes:
                  pc1:
                    kind: host
                    interfaces:
                      eth0: { segment: lan, address: 10.0.1.10/24 }
                    routes: &gw
                      - { to: default, via: 10.0.1.1 }
                  pc2:
                    kind: host
                    interfaces:
                      eth0: { segment: lan, address: 10.0.1.11/24 }
                    routes: *gw
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan, address: 10.0.1.1/24 }
                      eth1: &iface { segment: nowhere, address: 10.0.0.1/30 }
                """;
        List<Problem> ps = Topologies.checkYaml(yaml);
        assertThat(ps).hasSize(1);
        assertThat(ps.get(0).path()).isEqualTo("nodes.r1.interfaces.eth1.segment");
        String fixed = yaml.replace("segment: nowhere", "segment: core");
        Topology t = Topologies.parseYaml(fixed);
        assertThat(t.nodes().get("pc2").routes()).isEqualTo(t.nodes().get("pc1").routes());

        // A problem inside a copy names the copy's path (where the alias is used).
        String copied = fixed.replace("      eth1: &iface { segment: core, address: 10.0.0.1/30 }",
                "      eth1: &iface { segment: core, adress: 10.0.0.1/30 }\n      eth2: *iface");
        List<Problem> inCopy = Topologies.checkYaml(copied);
        assertThat(inCopy).extracting(Problem::path)
                .contains("nodes.r1.interfaces.eth1.adress", "nodes.r1.interfaces.eth2.adress");
    }

    @Test
    void anAliasWithoutAnAnchorBeforeItIsAProblemInPlace() {
        String yaml = """
                name: aliases
                segments: [lan]
                nodes:
                  pc1: { kind: host, interfaces: { eth0: { segment: *lan, address: 10.0.1.10/24 } } }
                """;
        List<Problem> ps = Topologies.checkYaml(yaml);
        assertThat(ps).isNotEmpty();
        assertThat(ps.get(0).path()).isEqualTo("nodes.pc1.interfaces.eth0.segment");
        assertThat(ps.get(0).message()).contains("alias '*lan' names no anchor '&lan' before it");
        assertThat(ps.get(0).line()).isEqualTo(4);
    }

    @Test
    void anAliasInsideItsOwnAnchorMakesNoCycle() {
        List<Problem> ps = Topologies.checkYaml("name: x\nsegments: &a [lan, *a]\nnodes: {}\n");
        assertThat(ps).extracting(Problem::message).anyMatch(m -> m.contains("names no anchor '&a'"));
    }

    @Test
    void anAliasBombIsOneProblemNotAFullHeap() {
        // "Billion laughs": each level repeats the one before nine times; 9^9 values if expanded.
        StringBuilder yaml = new StringBuilder("name: bomb\nsegments: [lan]\nnodes: {}\nx0: &l0 [lol]\n");
        for (int i = 1; i <= 9; i++) {
            yaml.append('x').append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            yaml.append("]\n");
        }
        List<Problem> ps = Topologies.checkYaml(yaml.toString());
        assertThat(ps).hasSize(1);
        assertThat(ps.get(0).message()).contains("aliases expand to more than " + SourceReader.MAX_ALIAS_VALUES);
    }

    @Test
    void aliasesCannotNestBeyondTheDepthLimit() {
        // Each anchor holds the one before one level deeper: depth grows by a level per line, values stay few.
        StringBuilder yaml = new StringBuilder("name: deep\nsegments: [lan]\nnodes: {}\nd0: &d0 [x]\n");
        for (int i = 1; i <= 80; i++) {
            yaml.append('d').append(i).append(": &d").append(i).append(" [[*d").append(i - 1).append("]]\n");
        }
        List<Problem> ps = Topologies.checkYaml(yaml.toString());
        assertThat(ps).hasSize(1);
        assertThat(ps.get(0).message()).contains("deeper than " + SourceReader.MAX_DEPTH);
    }
}
