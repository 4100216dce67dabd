package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.CapturedPayloads;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed DHCP messages (real dhclient messages, mutated, and random bytes) sent to a running DHCP
 * server and relay, by unicast and by broadcast from 0.0.0.0: no node ever fails on one (no
 * internal error), malformed ones are counted, and afterwards a real client still gets its lease.
 */
class DhcpServerFuzzTest {

    static final String LAB = DhcpLabTest.LAB.replace("  r1:",
            "  fz: { kind: host, interfaces: { eth0: { segment: lan, address: 192.168.1.50/24 } } }\n  r1:");

    private Lab lab;
    private Node fz;
    private UdpSocket socket;

    @BeforeProperty
    void start() {
        lab = Lab.build(Topologies.parseYaml(LAB), Lab.Options.virtual());
        lab.start();
        fz = lab.node("fz");
        fz.loop().execute(() -> socket = fz.udp().open(Ipv4Address.ANY, 68).setBroadcast(true));
        lab.advance(Duration.ofMillis(1));
    }

    @AfterProperty
    void stop() {
        try {
            // The server still works: pc1 (booting with the lab) and a fresh DORA via dhclient.
            lab.advance(Duration.ofSeconds(30));
            assertThat(DhcpClient.of(lab.node("pc1"), "eth0").state()).isEqualTo(DhcpClient.State.BOUND);
            assertThat(DhcpClient.of(lab.node("pc2"), "eth0").state()).isEqualTo(DhcpClient.State.BOUND);
            for (String n : List.of("dhcp1", "r1", "fz", "pc1", "pc2")) {
                assertThat(lab.node(n).counters()).as(n).doesNotContainKey("node.dropped.internal_error");
            }
            assertThat(lab.node("dhcp1").counters().getOrDefault("dhcp.dropped.malformed", 0L)).isPositive();
        } finally {
            lab.close();
        }
    }

    @Property(tries = 300)
    void fuzzedMessagesNeverCrashTheServer(@ForAll("messages") byte[] payload, @ForAll boolean broadcast) {
        fz.loop().execute(() -> {
            if (broadcast) {
                RawUdp.send(fz, "eth0", MacAddress.BROADCAST, Ipv4Address.ANY, 68, Ipv4Address.BROADCAST, 67, payload);
            } else {
                socket.sendTo(Ipv4Address.parse("192.168.1.2"), 67, payload);
                socket.sendTo(Ipv4Address.parse("192.168.1.1"), 67, payload); // the relay too
            }
        });
        lab.advance(Duration.ofMillis(20));
        assertThat(lab.node("dhcp1").counters()).doesNotContainKey("node.dropped.internal_error");
        assertThat(lab.node("r1").counters()).doesNotContainKey("node.dropped.internal_error");
    }

    @Provide
    Arbitrary<byte[]> messages() {
        List<byte[]> seeds = List.of(CapturedPayloads.get("c#1"), CapturedPayloads.get("c#3"), CapturedPayloads.get("c#19"));
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(seeds), Arbitraries.integers().between(0, 299),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(1, 8)).as((seed, at, value, how, n) -> {
                    byte[] b = seed.clone();
                    switch (how) {
                        case 0 -> { // a few random bytes anywhere
                            for (int i = 0; i < n; i++) {
                                b[(at + 37 * i) % b.length] = (byte) (value + i);
                            }
                        }
                        case 1 -> b = Arrays.copyOf(b, Math.max(0, at)); // cut
                        case 2 -> b[240 + at % 60] = (byte) (int) value; // inside the options
                        case 3 -> { // op, hlen, hops, giaddr, ciaddr fields
                            int[] fields = {0, 2, 3, 12, 24};
                            b[fields[at % fields.length]] = (byte) (int) value;
                        }
                        default -> { // message type or option overload with a random value
                            b[242] = (byte) (1 + value % 9);
                            b[240 + (at % 50)] = 52;
                        }
                    }
                    return b;
                });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, mutated), net.jqwik.api.Tuple.of(1, random));
    }
}
