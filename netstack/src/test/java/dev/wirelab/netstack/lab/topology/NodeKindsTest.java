package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Later kinds (dhcp, dns) plug in through {@link NodeKind}; this test plays such a kind. */
class NodeKindsTest {

    record PoolSettings(String range) implements KindSettings {
    }

    /** A stand-in for the DHCP server kind: one extra required field, 'pool', with a check. */
    static final NodeKind DHCP_LIKE = new NodeKind() {
        @Override
        public String name() {
            return "dhcp";
        }

        @Override
        public boolean defaultForwarding() {
            return false;
        }

        @Override
        public List<String> extraFields() {
            return List.of("pool");
        }

        @Override
        public KindSettings readSettings(String nodeName, Fields fields) {
            String range = fields.string("pool", true, "an address range");
            return range == null ? KindSettings.NONE : new PoolSettings(range);
        }

        @Override
        public void validate(String nodeName, NodeSpec node, Topology topology, Problems problems) {
            if (node.settings() instanceof PoolSettings p && !p.range().contains("-")) {
                problems.add(Paths.child(Paths.child("nodes", nodeName), "pool"), "a range needs a '-'");
            }
        }

        @Override
        public void writeSettings(KindSettings settings, ObjectNode node) {
            if (settings instanceof PoolSettings p) {
                node.put("pool", p.range());
            }
        }
    };

    /** Host and router plus the stand-in (the real dhcp kind is in the standard registry). */
    static final NodeKinds KINDS = NodeKinds.of(NodeKinds.HOST, NodeKinds.ROUTER).with(DHCP_LIKE);

    static final String LAB = """
            name: k
            segments: [lan]
            nodes:
              d1:
                kind: dhcp
                interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } }
                pool: 10.0.0.100-10.0.0.199
              h1:
                kind: host
                interfaces: { eth0: { segment: lan, dhcp: true } }
            """;

    @Test
    void standardKinds() {
        assertThat(NodeKinds.standard().names()).containsExactly("host", "router", "dhcp", "dns", "web");
        assertThat(NodeKinds.HOST.defaultForwarding()).isFalse();
        assertThat(NodeKinds.ROUTER.defaultForwarding()).isTrue();
    }

    @Test
    void aRegisteredKindReadsItsOwnFields() {
        Topology t = Topologies.parseYaml(LAB, KINDS);
        assertThat(t.nodes().get("d1").settings()).isEqualTo(new PoolSettings("10.0.0.100-10.0.0.199"));
        assertThat(t.nodes().get("h1").settings()).isEqualTo(KindSettings.NONE);
    }

    @Test
    void aKindsFieldOnAnotherKindIsExplained() {
        TopologyException e = org.assertj.core.api.Assertions.catchThrowableOfType(TopologyException.class,
                () -> Topologies.parseYaml(LAB.replace("kind: host", "kind: host\n    pool: x"), KINDS));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("nodes.h1.pool");
            assertThat(p.message()).isEqualTo("field 'pool' is not allowed for kind host (only kind dhcp has it)");
        });
    }

    @Test
    void kindChecksAndRequiredFieldsRun() {
        assertThatThrownBy(() -> Topologies.parseYaml(LAB.replace("pool: 10.0.0.100-10.0.0.199", "pool: 10.0.0.100"), KINDS))
                .isInstanceOf(TopologyException.class).hasMessageContaining("nodes.d1.pool")
                .hasMessageContaining("a range needs a '-'");
        assertThatThrownBy(() -> Topologies.parseYaml(LAB.replace("pool: 10.0.0.100-10.0.0.199", ""), KINDS))
                .isInstanceOf(TopologyException.class).hasMessageContaining("nodes.d1.pool")
                .hasMessageContaining("missing required field 'pool'");
    }

    /** Without the kind registered: one clear problem, not a pile of "unknown field" ones. */
    @Test
    void withoutTheKindTheFileIsRejectedClearly() {
        TopologyException e = org.assertj.core.api.Assertions.catchThrowableOfType(TopologyException.class,
                () -> Topologies.parseYaml(LAB, NodeKinds.of(NodeKinds.HOST, NodeKinds.ROUTER)));
        List<Problem> ps = e.problems();
        assertThat(ps).extracting(Problem::path).containsExactly("nodes.d1.kind");
        assertThat(ps.get(0).message()).contains("unknown kind 'dhcp'", "'host', 'router'");
    }

    @Test
    void registryRejectsClashes() {
        assertThatThrownBy(() -> NodeKinds.standard().with(NodeKind.simple("host", true)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
