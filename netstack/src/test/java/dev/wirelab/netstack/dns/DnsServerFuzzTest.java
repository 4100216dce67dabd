package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.CapturedPayloads;
import dev.wirelab.netstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed DNS messages (dig's and dnsmasq's real messages, mutated, with compression pointers
 * planted, and random bytes) sent to a running authoritative server and a running recursive
 * resolver: no node fails on one, malformed queries are counted, and afterwards both still answer.
 *
 * <p>One lab serves every try (hence one test instance for the class): the checks after the last
 * try, in {@link #stop()}, are about everything the tries sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsServerFuzzTest {

    private Lab lab;
    private Node pc1;
    private UdpSocket socket;

    @BeforeAll
    void start() {
        lab = Lab.build(Topologies.parseYaml(DnsLabTest.LAB), Lab.Options.virtual());
        lab.start();
        pc1 = lab.node("pc1");
        pc1.loop().execute(() -> socket = pc1.udp().open(Ipv4Address.ANY, 0));
        lab.advance(Duration.ofMillis(1));
    }

    @AfterAll
    void stop() {
        try {
            lab.advance(Duration.ofSeconds(30)); // let every resolution started by a fuzzed query end
            for (String n : List.of("example", "resolver", "root", "tld", "pc1")) {
                assertThat(lab.node(n).counters()).as(n).doesNotContainKey("node.dropped.internal_error");
            }
            assertThat(lab.node("example").counters().getOrDefault("dns.dropped.malformed", 0L)).isPositive();
            assertThat(lab.node("resolver").counters().getOrDefault("dns.dropped.malformed", 0L)).isPositive();
            ExecResult r = lab.run("pc1", "dig +short www.example.com", Duration.ofSeconds(30));
            assertThat(r.output()).containsExactly("10.0.0.80");
            ExecResult a = lab.run("pc1", "dig +short @10.0.0.30 www.example.com", Duration.ofSeconds(30));
            assertThat(a.output()).containsExactly("10.0.0.80");
        } finally {
            lab.close();
        }
    }

    static LongStream seeds() {
        return Gen.seeds(300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void fuzzedMessagesNeverCrashTheServers(long seed) {
        send(message(Gen.random(seed)));
    }

    /** The edge cases: nothing, one byte, a header's worth of zeros, the largest random message, each captured message as is. */
    static Stream<byte[]> edgeCases() {
        return Stream.concat(Stream.of(new byte[0], new byte[1], new byte[12], new byte[300]), SEEDS.stream());
    }

    @ParameterizedTest(name = "edge case {index}")
    @MethodSource("edgeCases")
    void edgeCasesNeverCrashTheServers(byte[] payload) {
        send(payload);
    }

    private void send(byte[] payload) {
        pc1.loop().execute(() -> {
            socket.sendTo(Ipv4Address.parse("10.0.0.30"), 53, payload);
            socket.sendTo(Ipv4Address.parse("10.0.0.53"), 53, payload);
        });
        lab.advance(Duration.ofMillis(50));
        assertThat(lab.node("example").counters()).doesNotContainKey("node.dropped.internal_error");
        assertThat(lab.node("resolver").counters()).doesNotContainKey("node.dropped.internal_error");
    }

    private static final List<byte[]> SEEDS = captured();

    private static List<byte[]> captured() {
        List<byte[]> seeds = new ArrayList<>();
        for (int n = 5; n <= 18; n++) {
            seeds.add(CapturedPayloads.get("c#" + n));
        }
        return List.copyOf(seeds);
    }

    /** Five in six a captured message mutated, one in six random bytes. */
    static byte[] message(Random rnd) {
        if (Gen.weighted(rnd, 5, 1) == 1) {
            return Gen.bytes(rnd, 300);
        }
        byte[] b = Gen.oneOf(rnd, SEEDS).clone();
        int at = Gen.between(rnd, 0, 200);
        int value = Gen.between(rnd, 0, 255);
        int how = Gen.between(rnd, 0, 4);
        int i = at % b.length;
        switch (how) {
            case 0 -> b[i] = (byte) value;
            case 1 -> b = Arrays.copyOf(b, i);
            case 2 -> { // a compression pointer, possibly a loop or pointing forward
                b[Math.max(12, i)] = (byte) (0xC0 | (value >> 6));
                if (Math.max(12, i) + 1 < b.length) {
                    b[Math.max(12, i) + 1] = (byte) value;
                }
            }
            case 3 -> b[4 + at % 8] = (byte) value; // a section count
            default -> b[2] = (byte) (value & 0x7F); // QR clear: a query with random flags and opcode
        }
        return b;
    }
}
