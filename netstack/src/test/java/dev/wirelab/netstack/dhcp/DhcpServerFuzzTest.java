package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.CapturedPayloads;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed DHCP messages (real dhclient messages, mutated, and random bytes) sent to a running DHCP
 * server and relay, by unicast and by broadcast from 0.0.0.0: no node ever fails on one (no
 * internal error), malformed ones are counted, and afterwards a real client still gets its lease.
 *
 * <p>One lab serves every try (hence one test instance for the class): the checks after the last
 * try, in {@link #stop()}, are about everything the tries sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DhcpServerFuzzTest {

    static final String LAB = DhcpLabTest.LAB.replace("  r1:",
            "  fz: { kind: host, interfaces: { eth0: { segment: lan, address: 192.168.1.50/24 } } }\n  r1:");

    private Lab lab;
    private Node fz;
    private UdpSocket socket;

    @BeforeAll
    void start() {
        lab = Lab.build(Topologies.parseYaml(LAB), Lab.Options.virtual());
        lab.start();
        fz = lab.node("fz");
        fz.loop().execute(() -> socket = fz.udp().open(Ipv4Address.ANY, 68).setBroadcast(true));
        lab.advance(Duration.ofMillis(1));
    }

    @AfterAll
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

    static LongStream seeds() {
        return Gen.seeds(300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void fuzzedMessagesNeverCrashTheServer(long seed) {
        Random rnd = Gen.random(seed);
        send(message(rnd), rnd.nextBoolean());
    }

    /** The edge cases: nothing, one byte, a header's worth of zeros, the largest random message, each captured message as is. */
    static Stream<byte[]> edgeCases() {
        return Stream.of(new byte[0], new byte[1], new byte[240], new byte[400], CapturedPayloads.get("c#1"),
                CapturedPayloads.get("c#3"), CapturedPayloads.get("c#19"));
    }

    @ParameterizedTest(name = "edge case {index}, unicast")
    @MethodSource("edgeCases")
    void edgeCasesNeverCrashTheServerByUnicast(byte[] payload) {
        send(payload, false);
    }

    @ParameterizedTest(name = "edge case {index}, broadcast")
    @MethodSource("edgeCases")
    void edgeCasesNeverCrashTheServerByBroadcast(byte[] payload) {
        send(payload, true);
    }

    private void send(byte[] payload, boolean broadcast) {
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

    private static final List<byte[]> SEEDS = List.of(CapturedPayloads.get("c#1"), CapturedPayloads.get("c#3"),
            CapturedPayloads.get("c#19"));

    /** Five in six a captured client message mutated, one in six random bytes. */
    static byte[] message(Random rnd) {
        if (Gen.weighted(rnd, 5, 1) == 1) {
            return Gen.bytes(rnd, 400);
        }
        byte[] b = Gen.oneOf(rnd, SEEDS).clone();
        int at = Gen.between(rnd, 0, 299);
        int value = Gen.between(rnd, 0, 255);
        int how = Gen.between(rnd, 0, 4);
        int n = Gen.between(rnd, 1, 8);
        switch (how) {
            case 0 -> { // a few random bytes anywhere
                for (int i = 0; i < n; i++) {
                    b[(at + 37 * i) % b.length] = (byte) (value + i);
                }
            }
            case 1 -> b = Arrays.copyOf(b, Math.max(0, at)); // cut
            case 2 -> b[240 + at % 60] = (byte) value; // inside the options
            case 3 -> { // op, hlen, hops, giaddr, ciaddr fields
                int[] fields = {0, 2, 3, 12, 24};
                b[fields[at % fields.length]] = (byte) value;
            }
            default -> { // message type or option overload with a random value
                b[242] = (byte) (1 + value % 9);
                b[240 + (at % 50)] = 52;
            }
        }
        return b;
    }
}
