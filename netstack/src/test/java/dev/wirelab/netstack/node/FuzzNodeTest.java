package dev.wirelab.netstack.node;

import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.UdpDatagram;
import dev.wirelab.netstack.testing.Gen;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated frames into a running lab: nothing escapes, nothing crashes, every drop is
 * counted, and the nodes still answer ping afterwards.
 */
class FuzzNodeTest {

    static LongStream seeds() {
        return Gen.seeds(15);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomAndMutatedFramesAreCountedAndTheLabKeepsWorking(long seed) {
        TestLab.Chain c = new TestLab.Chain(576);
        c.lab.run(c.pc1, "ping -c 1 -s 1400 -M dont 10.0.3.2"); // warm caches, and a source of real frames
        List<byte[]> samples = new ArrayList<>(c.lan1.frames());
        samples.addAll(crafted(c));
        Random rnd = Gen.random(seed);
        TestHub.Port raw = c.lan1.port("fuzzer");
        MacAddress pc1 = c.pc1.networkInterface("eth0").orElseThrow().mac();
        MacAddress r1 = c.r1.networkInterface("eth0").orElseThrow().mac();
        long before = totalDrops(c);
        for (int i = 0; i < 300; i++) {
            byte[] f = switch (rnd.nextInt(4)) {
                case 0 -> randomBytes(rnd);
                case 1 -> mutate(samples.get(rnd.nextInt(samples.size())), rnd);
                case 2 -> truncateOrExtend(samples.get(rnd.nextInt(samples.size())), rnd);
                default -> samples.get(rnd.nextInt(samples.size())).clone();
            };
            if (f.length >= 6 && rnd.nextBoolean()) {
                (rnd.nextBoolean() ? pc1 : r1).write(f, 0); // aim past the MAC filter
            }
            raw.send(f);
            if (i % 50 == 0) {
                c.lab.runFor(5_000_000L);
            }
        }
        c.lab.runFor(40_000_000_000L); // past every reassembly and ARP timer

        assertThat(c.lab.events(e -> e.kind().equals("drop") && "internal_error".equals(e.detail().get("reason"))))
                .extracting(e -> e.node() + ": " + e.detail().get("error")).isEmpty();
        for (Node n : List.of(c.pc1, c.r1, c.r2, c.pc2)) {
            assertThat(n.counters()).as(n.name()).doesNotContainKey("node.dropped.internal_error");
        }
        assertThat(totalDrops(c)).isGreaterThan(before);
        long mark = c.lab.scheduler.nanos();
        // Forged ARP among the frames may have poisoned caches, as on a real LAN; neighbour
        // unreachability detection (DELAY 5 s, PROBE 3 x 1 s) heals them, so allow 10 s of pings.
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 10 -M dont 10.0.3.2");
        if (run.status() != 0) {
            for (Node n : List.of(c.pc1, c.r1, c.r2, c.pc2)) {
                System.out.println(n.name() + " " + n.interfaces().stream().map(i -> i.name() + "=" + i.neighbors()).toList());
            }
            c.lab.trace.events(e -> e.timeNanos() >= mark).forEach(System.out::println);
        }
        assertThat(run.status()).as(run.text()).isZero();
        assertThat(run.lines().getLast()).startsWith("rtt min/avg/max/mdev");
        TestLab.Run back = c.lab.run(c.pc2, "ping -c 10 -s 1400 -M dont 10.0.1.2");
        assertThat(back.status()).as(back.text()).isZero();
    }

    private static long totalDrops(TestLab.Chain c) {
        long n = 0;
        for (Node node : List.of(c.pc1, c.r1, c.r2, c.pc2)) {
            for (Map.Entry<String, Long> e : node.counters().entrySet()) {
                if (e.getKey().contains(".dropped.")) {
                    n += e.getValue();
                }
            }
        }
        return n;
    }

    /** Well-formed headers (valid checksums) with odd field values, to reach deeper code paths. */
    private static List<byte[]> crafted(TestLab.Chain c) {
        MacAddress pc1 = c.pc1.networkInterface("eth0").orElseThrow().mac();
        MacAddress r1 = c.r1.networkInterface("eth0").orElseThrow().mac();
        MacAddress me = MacAddress.parse("02:66:75:7a:7a:01");
        Ipv4Address a = Ipv4Address.parse("10.0.1.66");
        Ipv4Address pc1ip = Ipv4Address.parse("10.0.1.2");
        Ipv4Address pc2ip = Ipv4Address.parse("10.0.3.2");
        List<byte[]> out = new ArrayList<>();
        byte[] echo = IcmpMessage.echoRequest(1, 1, new byte[600]).encode();
        for (int ttl : new int[]{0, 1, 2, 255}) {
            for (int offset : new int[]{0, 8, 552, 65528}) {
                for (boolean mf : new boolean[]{false, true}) {
                    Ipv4Packet p = new Ipv4Packet(0, 7 + offset, offset == 8, mf, offset, ttl, Ipv4Packet.PROTOCOL_ICMP,
                            a, offset == 552 ? pc1ip : pc2ip, new byte[0], echo);
                    out.add(EthernetFrame.of(offset == 552 ? pc1 : r1, me, EthernetFrame.ETHERTYPE_IPV4, p.encode()).encode());
                }
            }
        }
        // ICMP errors with garbage or self-referential quotes, and fragmentation-needed with MTU 0.
        byte[] quoteOfEcho = IcmpMessage.quote(Ipv4Packet.of(1, 64, 1, pc1ip, pc2ip, echo).encode());
        for (IcmpMessage m : List.of(IcmpMessage.fragmentationNeeded(0, quoteOfEcho),
                IcmpMessage.fragmentationNeeded(68, quoteOfEcho), IcmpMessage.destinationUnreachable(3, new byte[5]),
                IcmpMessage.timeExceeded(0, new byte[40]), new IcmpMessage(42, 0, 0, new byte[3]))) {
            out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_IPV4,
                    Ipv4Packet.of(9, 64, Ipv4Packet.PROTOCOL_ICMP, a, pc1ip, m.encode()).encode()).encode());
        }
        // UDP to closed ports, unknown protocols, options, broadcast destinations and sources.
        byte[] udp = new UdpDatagram(1, 2, new byte[10]).encode(a, pc1ip);
        out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_IPV4, Ipv4Packet.of(10, 64, 17, a, pc1ip, udp).encode()).encode());
        out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_IPV4, Ipv4Packet.of(11, 64, 99, a, pc1ip, udp).encode()).encode());
        out.add(EthernetFrame.of(MacAddress.BROADCAST, me, EthernetFrame.ETHERTYPE_IPV4,
                Ipv4Packet.of(12, 64, 99, a, Ipv4Address.parse("10.0.1.255"), udp).encode()).encode());
        out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_IPV4,
                Ipv4Packet.of(13, 64, 1, Ipv4Address.BROADCAST, pc1ip, echo).encode()).encode());
        out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_IPV4, new Ipv4Packet(0, 14, false, false, 0, 64, 1, a, pc1ip,
                new byte[]{(byte) 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 0}, echo).encode()).encode());
        // ARP: replies nobody asked for, conflicts with our addresses, group sender MACs, probes.
        out.add(EthernetFrame.of(pc1, me, EthernetFrame.ETHERTYPE_ARP, ArpPacket.reply(me, a, pc1, pc1ip).encode()).encode());
        out.add(EthernetFrame.of(MacAddress.BROADCAST, me, EthernetFrame.ETHERTYPE_ARP, ArpPacket.gratuitous(me, pc1ip).encode()).encode());
        out.add(EthernetFrame.of(MacAddress.BROADCAST, me, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(MacAddress.BROADCAST, a, pc1ip).encode()).encode());
        out.add(EthernetFrame.of(MacAddress.BROADCAST, me, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(me, Ipv4Address.ANY, pc1ip).encode()).encode());
        out.add(EthernetFrame.tagged(pc1, me, 5, EthernetFrame.ETHERTYPE_IPV4, new byte[40]).encode());
        return out;
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] frame, Random rnd) {
        byte[] b = frame.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
            // Mostly in the headers, where parsers make decisions.
            int at = rnd.nextInt(Math.min(b.length, rnd.nextBoolean() ? 64 : b.length));
            b[at] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private static byte[] truncateOrExtend(byte[] frame, Random rnd) {
        int len = rnd.nextBoolean() ? rnd.nextInt(frame.length + 1) : frame.length + rnd.nextInt(64);
        byte[] b = java.util.Arrays.copyOf(frame, len);
        return b;
    }
}
