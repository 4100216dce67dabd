package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.CapturedPayloads;
import dev.wirelab.netstack.wire.Ipv4Address;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed DNS messages (dig's and dnsmasq's real messages, mutated, with compression pointers
 * planted, and random bytes) sent to a running authoritative server and a running recursive
 * resolver: no node fails on one, malformed queries are counted, and afterwards both still answer.
 */
class DnsServerFuzzTest {

    private Lab lab;
    private Node pc1;
    private UdpSocket socket;

    @BeforeProperty
    void start() {
        lab = Lab.build(Topologies.parseYaml(DnsLabTest.LAB), Lab.Options.virtual());
        lab.start();
        pc1 = lab.node("pc1");
        pc1.loop().execute(() -> socket = pc1.udp().open(Ipv4Address.ANY, 0));
        lab.advance(Duration.ofMillis(1));
    }

    @AfterProperty
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

    @Property(tries = 300)
    void fuzzedMessagesNeverCrashTheServers(@ForAll("messages") byte[] payload) {
        pc1.loop().execute(() -> {
            socket.sendTo(Ipv4Address.parse("10.0.0.30"), 53, payload);
            socket.sendTo(Ipv4Address.parse("10.0.0.53"), 53, payload);
        });
        lab.advance(Duration.ofMillis(50));
        assertThat(lab.node("example").counters()).doesNotContainKey("node.dropped.internal_error");
        assertThat(lab.node("resolver").counters()).doesNotContainKey("node.dropped.internal_error");
    }

    @Provide
    Arbitrary<byte[]> messages() {
        List<byte[]> seeds = new ArrayList<>();
        for (int n = 5; n <= 18; n++) {
            seeds.add(CapturedPayloads.get("c#" + n));
        }
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(seeds), Arbitraries.integers().between(0, 200),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 4)).as((seed, at, value, how) -> {
                    byte[] b = seed.clone();
                    int i = at % b.length;
                    switch (how) {
                        case 0 -> b[i] = (byte) (int) value;
                        case 1 -> b = Arrays.copyOf(b, i);
                        case 2 -> { // a compression pointer, possibly a loop or pointing forward
                            b[Math.max(12, i)] = (byte) (0xC0 | (value >> 6));
                            if (Math.max(12, i) + 1 < b.length) {
                                b[Math.max(12, i) + 1] = (byte) (int) value;
                            }
                        }
                        case 3 -> b[4 + at % 8] = (byte) (int) value; // a section count
                        default -> b[2] = (byte) (value & 0x7F); // QR clear: a query with random flags and opcode
                    }
                    return b;
                });
        return Arbitraries.frequencyOf(Tuple.of(5, mutated), Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)));
    }
}
