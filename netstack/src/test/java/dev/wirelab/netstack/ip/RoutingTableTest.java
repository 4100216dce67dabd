package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingTableTest {

    private static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    @Test
    void longestPrefixWinsOverDefaultAndShorterPrefixes() {
        RoutingTable t = new RoutingTable();
        t.add(Route.via(ip("0.0.0.0"), 0, ip("10.0.1.1"), "eth0"));
        t.add(Route.connected(ip("10.0.1.0"), 24, "eth0", ip("10.0.1.2")));
        t.add(Route.via(ip("10.0.0.0"), 8, ip("10.0.1.254"), "eth0"));
        t.add(Route.via(ip("10.0.3.0"), 24, ip("10.0.1.253"), "eth0"));
        t.add(Route.via(ip("10.0.3.128"), 25, ip("10.0.1.252"), "eth0"));

        assertThat(t.lookup(ip("10.0.1.77")).orElseThrow().onLink()).isTrue();
        assertThat(t.lookup(ip("10.0.3.5")).orElseThrow().gateway()).isEqualTo(ip("10.0.1.253"));
        assertThat(t.lookup(ip("10.0.3.200")).orElseThrow().gateway()).isEqualTo(ip("10.0.1.252"));
        assertThat(t.lookup(ip("10.200.0.1")).orElseThrow().gateway()).isEqualTo(ip("10.0.1.254"));
        assertThat(t.lookup(ip("8.8.8.8")).orElseThrow().isDefault()).isTrue();
    }

    @Test
    void noRouteWithoutDefault() {
        RoutingTable t = new RoutingTable();
        t.add(Route.connected(ip("192.168.1.0"), 24, "eth0", ip("192.168.1.10")));
        assertThat(t.lookup(ip("192.168.2.1"))).isEmpty();
        assertThat(t.lookup(ip("192.168.1.255"))).isPresent();
    }

    @Test
    void lowerMetricWinsAmongEqualPrefixes() {
        RoutingTable t = new RoutingTable();
        t.add(new Route(ip("10.9.0.0"), 16, ip("10.0.1.1"), "eth0", Route.Origin.STATIC, null, 100));
        t.add(new Route(ip("10.9.0.0"), 16, ip("10.0.2.1"), "eth1", Route.Origin.STATIC, null, 10));
        assertThat(t.lookup(ip("10.9.1.1")).orElseThrow().interfaceName()).isEqualTo("eth1");
    }

    @Test
    void rejectsDuplicatesAndHostBitsLikeIproute2() {
        RoutingTable t = new RoutingTable();
        t.add(Route.via(ip("10.9.0.0"), 16, ip("10.0.1.1"), "eth0"));
        assertThatThrownBy(() -> t.add(Route.via(ip("10.9.0.0"), 16, ip("10.0.1.2"), "eth0")))
                .hasMessageContaining("route exists");
        assertThatThrownBy(() -> Route.via(ip("10.9.0.1"), 16, ip("10.0.1.1"), "eth0"))
                .hasMessageContaining("invalid prefix for given prefix length: 10.9.0.1/16 (did you mean 10.9.0.0/16?)");
    }

    @Test
    void removeAndListInIpRouteOrder() {
        RoutingTable t = new RoutingTable();
        t.add(Route.connected(ip("10.0.1.0"), 24, "eth0", ip("10.0.1.2")));
        t.add(Route.via(ip("0.0.0.0"), 0, ip("10.0.1.1"), "eth0"));
        t.add(Route.via(ip("10.0.3.0"), 24, ip("10.0.1.1"), "eth0"));
        assertThat(t.routes()).extracting(Route::toIpRouteLine).containsExactly(
                "default via 10.0.1.1 dev eth0",
                "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2",
                "10.0.3.0/24 via 10.0.1.1 dev eth0");
        assertThat(t.removeIf(r -> r.isDefault())).isEqualTo(1);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.lookup(ip("1.2.3.4"))).isEmpty();
    }

    record Spec(int network, int prefix, int metric) {
    }

    /** Few distinct high bits so that prefixes overlap often. */
    static Spec spec(Random rnd) {
        int i = Gen.between(rnd, 0, 15);
        int a = i << 28 | (i * 0x01010101 & 0x0FFFFFFF);
        int p = Gen.between(rnd, 0, 32);
        return new Spec(a & Ipv4Address.mask(p), p, Gen.between(rnd, 0, 3));
    }

    static LongStream seeds() {
        return Gen.seeds(300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lookupAgreesWithBruteForce(long seed) {
        Random rnd = Gen.random(seed);
        List<Spec> specs = Gen.list(rnd, 0, 40, RoutingTableTest::spec);
        int probeBits = Gen.anyInt(rnd);
        List<Integer> extra = Gen.list(rnd, 0, 10, Gen::anyInt);
        checkLookup(specs, probeBits, extra);
    }

    /**
     * The edge cases: an empty table; one route of each prefix length; every prefix length of every
     * network at every metric (duplicates refused); probed at the ends of the address space.
     */
    @Test
    void lookupAgreesWithBruteForceAtTheEdges() {
        List<Integer> ends = IntStream.of(Gen.edgeCases(Integer.MIN_VALUE, Integer.MAX_VALUE)).boxed().toList();
        checkLookup(List.of(), 0, ends);
        List<Spec> all = new ArrayList<>();
        for (int p = 0; p <= 32; p++) {
            for (int i = 0; i < 16; i++) {
                int a = i << 28 | (i * 0x01010101 & 0x0FFFFFFF);
                checkLookup(List.of(new Spec(a & Ipv4Address.mask(p), p, 0)), a, ends);
                for (int m = 3; m >= 0; m--) {
                    all.add(new Spec(a & Ipv4Address.mask(p), p, m));
                    all.add(new Spec(a & Ipv4Address.mask(p), p, m));
                }
            }
        }
        checkLookup(all, -1, ends);
    }

    private static void checkLookup(List<Spec> specs, int probeBits, List<Integer> extra) {
        RoutingTable t = new RoutingTable();
        List<Route> added = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            Route r = new Route(new Ipv4Address(s.network()), s.prefix(), new Ipv4Address(i + 1), "eth0",
                    Route.Origin.STATIC, null, s.metric());
            try {
                t.add(r);
                added.add(r);
            } catch (IllegalArgumentException duplicate) {
                // same destination and metric: refused, as the reference must refuse it too
            }
        }
        List<Integer> probes = new ArrayList<>(extra);
        probes.add(probeBits);
        specs.forEach(s -> probes.add(s.network() | 1));
        for (int p : probes) {
            Ipv4Address dst = new Ipv4Address(p);
            assertThat(t.lookup(dst)).as("lookup %s", dst).isEqualTo(reference(added, dst));
        }
    }

    /** Longest prefix, then lowest metric, then first added. */
    private static Optional<Route> reference(List<Route> routes, Ipv4Address dst) {
        Route best = null;
        for (Route r : routes) {
            if ((dst.bits() & Ipv4Address.mask(r.prefixLength())) != r.network().bits()) {
                continue;
            }
            if (best == null || r.prefixLength() > best.prefixLength()
                    || (r.prefixLength() == best.prefixLength() && r.metric() < best.metric())) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }
}
