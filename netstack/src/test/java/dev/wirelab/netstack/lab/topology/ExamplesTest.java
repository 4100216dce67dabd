package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExamplesTest {

    /** The repository's examples/ directory, found from the module's working directory. */
    static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples");
            if (Files.isDirectory(candidate) && Files.exists(candidate.resolve("three-segments.yaml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(examplesDir())) {
            List<Path> list = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(list).hasSizeGreaterThanOrEqualTo(4);
            return list.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValidAndRoundTrips(Path file) {
        Topology t = Topologies.parseYaml(file);
        assertThat(Topologies.validate(t)).isEmpty();
        assertThat(Topologies.parseYaml(Topologies.toYaml(t))).isEqualTo(t);
        assertThat(Topologies.parseJson(Topologies.toJson(t))).isEqualTo(t);
    }

    @Test
    void threeSegments() {
        Topology t = Topologies.parseYaml(examplesDir().resolve("three-segments.yaml"));
        assertThat(t.name()).isEqualTo("three-segments");
        assertThat(t.segments()).containsExactly(
                SegmentSpec.of("lan1", 1), SegmentSpec.of("core", 2), SegmentSpec.of("lan2", 3));
        assertThat(t.nodes().keySet()).containsExactly("pc1", "r1", "r2", "pc2");
        NodeSpec r1 = t.nodes().get("r1");
        assertThat(r1.kind()).isEqualTo("router");
        assertThat(r1.forwarding()).isTrue();
        assertThat(t.nodes().get("pc1").forwarding()).isFalse();
        assertThat(r1.interfaces().keySet()).containsExactly("eth0", "eth1");
        assertThat(r1.interfaces().get("eth1")).isEqualTo(InterfaceSpec.of("core", "10.0.0.1/30"));
        assertThat(r1.routes()).containsExactly(RouteSpec.via("10.0.2.0/24", "10.0.0.2"));
        RouteSpec pc1Default = t.nodes().get("pc1").routes().get(0);
        assertThat(pc1Default.isDefault()).isTrue();
        assertThat(pc1Default.via()).isEqualTo(Ipv4Address.parse("10.0.1.1"));
        assertThat(t.links().keySet()).containsExactly("lan1", "core", "lan2");
        assertThat(t.link("core")).isEqualTo(new LinkSpec(5_000_000L, 1_000_000L, 0, 0, 0, 0, 0));
        assertThat(t.link("lan1")).isEqualTo(new LinkSpec(500_000L, 0, 0, 0, 0, 0, 0));
        assertThat(t.link("no-such-segment")).isEqualTo(LinkSpec.NONE);
        assertThat(t.bus()).isNull();
        assertThat(t.busOrDefault()).isEqualTo(BusSpec.DEFAULT);
        assertThat(t.seed()).isEqualTo(1L);
        // The address range the acceptance test uses for Net Unreachable has no route anywhere.
        Ipv4Address unrouted = Ipv4Address.parse("198.51.100.1");
        t.nodes().forEach((name, n) -> {
            assertThat(n.routes()).noneMatch(r -> !r.isDefault() && r.to().contains(unrouted));
            assertThat(n.interfaces().values()).noneMatch(i -> i.address().contains(unrouted));
        });
        assertThat(r1.routes()).noneMatch(RouteSpec::isDefault);
    }

    @Test
    void mtu576CoreSegment() {
        Topology t = Topologies.parseYaml(examplesDir().resolve("mtu-576.yaml"));
        assertThat(t.segment("core").orElseThrow().mtu()).isEqualTo(576);
        assertThat(t.effectiveMtu("r1", "eth1")).isEqualTo(576);
        assertThat(t.effectiveMtu("r2", "eth0")).isEqualTo(576);
        assertThat(t.effectiveMtu("r1", "eth0")).isEqualTo(1500);
        assertThat(t.effectiveMtu("pc2", "eth0")).isEqualTo(1500);
        // Same address plan as three-segments: only the MTU differs.
        Topology three = Topologies.parseYaml(examplesDir().resolve("three-segments.yaml"));
        assertThat(t.nodes()).isEqualTo(three.nodes());
    }

    @Test
    void externalVxlan() {
        Topology t = Topologies.parseYaml(examplesDir().resolve("external-vxlan.yaml"));
        assertThat(t.segments()).containsExactly(new SegmentSpec("lan", 42, 1450), SegmentSpec.of("back", 1));
        assertThat(t.external()).containsExactly(new ExternalPortSpec("linux", "lan", "10.255.0.2", 4789));
        assertThat(t.bus()).isEqualTo(new BusSpec(Ipv4Address.parse("10.255.0.1"), 4789));
        assertThat(t.nodes().keySet()).containsExactly("r1", "h1");
    }

    @Test
    void firstJourneyImpairmentsAndMac() {
        Topology t = Topologies.parseYaml(examplesDir().resolve("first-journey.yaml"));
        assertThat(t.link("lan")).isEqualTo(new LinkSpec(2_000_000, 0, 0, 0, 0, 0, 0));
        assertThat(t.link("wan")).isEqualTo(new LinkSpec(20_000_000, 2_000_000, 0.005, 0, 0, 0, 10_000_000));
        assertThat(t.link("dmz").isNone()).isTrue();
        assertThat(t.nodes().get("web").interfaces().get("eth0").mac())
                .isEqualTo(MacAddress.parse("02:00:00:00:00:80"));
        assertThat(t.seed()).isEqualTo(42L);
    }
}
