package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.offload.Tso;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Packet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TCP segmentation offload in a whole lab, h1 -> r1 -> h2 in virtual time: super-packets cross
 * the bus and the router whole when every NIC has TSO, are cut by the router (software GSO) for
 * an egress without TSO, and draw "fragmentation needed" when their segments do not fit the next
 * hop. In every case the bytes arrive intact and tshark finds the capture clean and reassembles
 * the stream.
 */
class TsoLabTest {

    static final String TOPOLOGY = """
            name: tso
            segments: [ { name: lan1, mtu: 1500 }, { name: lan2, mtu: %d } ]
            nodes:
              h1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24, tso: true } },
                    routes: [ { to: default, via: 10.0.1.1 } ] }
              r1: { kind: router, interfaces: { eth0: { segment: lan1, address: 10.0.1.1/24, tso: true },
                                                eth1: { segment: lan2, address: 10.0.2.1/24, tso: %s } } }
              h2: { kind: host, interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24, tso: true, mtu: 1500 } },
                    routes: [ { to: default, via: 10.0.2.1 } ] }
            links:
              lan1: { delay: 1ms, %s }
              lan2: { delay: 1ms }
            seed: 7
            """;

    record Outcome(Lab lab, TcpLabTest.Bulk bulk, List<CapturedFrame> frames, Path capture) {
        long framesOver(String segment, int length) {
            return frames.stream().filter(f -> f.segment().equals(segment) && f.bytes().length > length).count();
        }

        List<TraceEvent> events(String node, String kind) {
            return lab.trace().events(e -> e.node().equals(node) && e.kind().equals(kind));
        }
    }

    static Outcome transfer(String name, int lan2Mtu, boolean routerTso, String lan1Impairment, int size)
            throws IOException {
        boolean corrupting = lan1Impairment.contains("corrupt");
        Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY.formatted(lan2Mtu, routerTso, lan1Impairment)),
                Lab.Options.virtual());
        lab.start();
        assertThat(lab.run("h1", "ping -c 1 10.0.2.10").exitCode()).isZero();
        VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        TcpLabTest.Bulk bulk = new TcpLabTest.Bulk(lab, data).connect();
        assertThat(clock.runUntil(bulk::done, clock.nanos() + TimeUnit.MINUTES.toNanos(30))).as(name + " finished").isTrue();
        clock.runFor(TimeUnit.SECONDS.toNanos(5));
        assertThat(bulk.client.error()).isNull();
        assertThat(TcpLabTest.sha256(bulk.got.toByteArray())).as("SHA-256 of what h2 read")
                .isEqualTo(TcpLabTest.sha256(data));
        Path capture = Captures.save(lab, "TsoLabTest/" + name);
        List<CapturedFrame> frames = lab.trace().frames();
        Set<Integer> bad = TcpLabTest.badTcpChecksums(frames);
        if (corrupting) {
            // The capture shows frames as they enter the switch: segments the bus damaged on lan1
            // show again, damaged, where r1 forwards them onto lan2 (routers do not check TCP checksums).
            assertThat(bad).isNotEmpty().allSatisfy(n -> assertThat(frames.get(n - 1).ingressPort()).isEqualTo("r1:eth1"));
        } else {
            assertThat(bad).as("frames with a bad TCP checksum").isEmpty();
        }
        for (CapturedFrame f : frames) {
            Ipv4Packet ip = TcpLabTest.ipOf(f);
            if (ip != null) {
                assertThat(ip.totalLength()).isLessThanOrEqualTo(Tso.MAX_DATAGRAM);
            }
        }
        if (Tshark.available() && !corrupting) {
            Tshark.Verdict v = Tshark.judge(capture);
            assertThat(v.frames()).isEqualTo(frames.size());
            // Nothing flagged, quoted datagrams included: a "fragmentation needed" quotes the
            // super-packet as it crossed lan1, so its truncated TCP segment carries the checksum
            // tshark verified on that frame (Tshark.judge checks the quote against it).
            assertThat(v.problems()).as("tshark on %s", capture).isEmpty();
            // tshark's reassembly of the stream on lan2 is exactly what h1 sent.
            String follow = TcpLabTest.run(List.of("tshark", "-n", "-r", capture.toString(), "-Y",
                    "frame.interface_name == \"lan2\"", "-q", "-z", "follow,tcp,raw,0"));
            assertThat(TcpLabTest.sha256(TcpLabTest.clientToServer(follow))).as("tshark's reassembly")
                    .isEqualTo(TcpLabTest.sha256(data));
            // The default capture, each conversation from one segment (lan1, h1's): clean too, and
            // tshark reassembles the stream from it alone.
            Path view = Captures.save(lab, "TsoLabTest/" + name + "-conversations", CaptureView.CONVERSATIONS);
            assertThat(Tshark.judge(view).problems()).as("tshark on %s", view).isEmpty();
            String viewed = TcpLabTest.run(List.of("tshark", "-n", "-r", view.toString(), "-q", "-z", "follow,tcp,raw,0"));
            assertThat(TcpLabTest.sha256(TcpLabTest.clientToServer(viewed))).as("tshark's reassembly of " + view)
                    .isEqualTo(TcpLabTest.sha256(data));
            assertThat(Tshark.fields(view, false, "tcp", "frame.interface_name")).extracting(r -> r.get("frame.interface_name"))
                    .containsOnly("lan1");
        }
        return new Outcome(lab, bulk, frames, capture);
    }

    @Test
    void superPacketsCrossTheBusAndTheRouterWhole() throws IOException {
        Outcome o = transfer("tso-everywhere", 1500, true, "loss: 0", 2 * 1024 * 1024);
        try (Lab lab = o.lab()) {
            // Frames far above the 1514-byte Ethernet maximum on both segments, as tcpdump on a veth shows.
            assertThat(o.framesOver("lan1", 1514)).isPositive();
            assertThat(o.framesOver("lan2", 1514)).isPositive();
            assertThat(o.frames()).anyMatch(f -> f.bytes().length > 60_000);
            assertThat(o.events("r1", "gso_segment")).isEmpty();
            // Far fewer frames than MSS-sized segments: 2 MB in 1448-byte segments would be 1449 frames per hop.
            long lan1Data = o.frames().stream().filter(f -> f.segment().equals("lan1") && f.bytes().length > 100).count();
            assertThat(lan1Data).isLessThan(300);
            assertThat(lab.node("r1").counters()).doesNotContainKey("ipv4.gso_segmented");
        }
    }

    @Test
    void aRouterWithoutTsoCutsSuperPacketsIntoSegments() throws IOException {
        Outcome o = transfer("router-without-tso", 1500, false, "loss: 0", 1024 * 1024);
        try (Lab lab = o.lab()) {
            assertThat(o.framesOver("lan1", 1514)).isPositive();
            assertThat(o.framesOver("lan2", 1514)).as("frames above the MTU on lan2").isZero();
            List<TraceEvent> cuts = o.events("r1", "gso_segment");
            assertThat(cuts).isNotEmpty();
            assertThat(cuts.get(0).detail()).containsEntry("interface", "eth1").containsEntry("gso_size", 1448)
                    .containsEntry("why", "no tso on eth1");
            assertThat(lab.node("r1").counters().get("ipv4.gso_segmented")).isEqualTo(cuts.size());
        }
    }

    @Test
    void segmentsTooBigForTheNextHopDrawFragmentationNeeded() throws IOException {
        Outcome o = transfer("narrow-next-hop", 576, true, "loss: 0", 512 * 1024);
        try (Lab lab = o.lab()) {
            // h2's own MTU is 1500 (it advertises an MSS of 1460) but r1's link to it carries 576:
            // r1 refuses super-packets of 1448-byte segments (DF set) and says so with ICMP; h1
            // learns the path MTU and TCP sends smaller segments, still as super-packets.
            assertThat(o.events("r1", "drop")).anyMatch(e -> "fragmentation_needed".equals(e.detail().get("reason")));
            assertThat(o.events("h1", "path_mtu_learned")).anyMatch(e -> Integer.valueOf(576).equals(e.detail().get("mtu")));
            assertThat(o.events("h1", "pmtu")).anyMatch(e -> Integer.valueOf(536 - 12).equals(e.detail().get("mss_to")));
            assertThat(o.framesOver("lan2", 576 + 14)).isPositive(); // still super-packets, of 524-byte segments
            // Each "fragmentation needed" quotes the datagram as it came in on lan1 (RFC 1812
            // section 4.3.2.3, as Linux does): a super-packet, its TTL not yet decremented, its first
            // 548 bytes exactly, so the quoted TCP checksum is the one that was right on the wire.
            List<CapturedFrame> frames = o.frames();
            int quotes = 0;
            for (CapturedFrame f : frames) {
                Ipv4Packet ip = TcpLabTest.ipOf(f);
                if (ip == null || ip.protocol() != Ipv4Packet.PROTOCOL_ICMP) {
                    continue;
                }
                IcmpMessage m = IcmpMessage.parse(ip.payloadArray(), ip.payloadOffset(), ip.payloadLength());
                if (m.type() != IcmpMessage.TYPE_DESTINATION_UNREACHABLE || m.code() != IcmpMessage.FRAGMENTATION_NEEDED) {
                    continue;
                }
                quotes++;
                byte[] quote = m.body();
                assertThat(quote).hasSize(576 - 20 - 8);
                int quotedTotalLength = (quote[2] & 0xFF) << 8 | (quote[3] & 0xFF);
                assertThat(quotedTotalLength).as("a super-packet's total length").isGreaterThan(1500);
                assertThat(frames).as("the frame the quote begins").anySatisfy(g -> {
                    assertThat(g.segment()).isEqualTo("lan1");
                    assertThat(g.ingressPort()).isEqualTo("h1:eth0");
                    assertThat(Arrays.copyOfRange(g.bytes(), 14, 14 + quote.length)).isEqualTo(quote);
                });
            }
            assertThat(quotes).isPositive();
        }
    }

    @Test
    void lossIsRepairedOneSegmentAtATime() throws IOException {
        Outcome o = transfer("lossy", 1500, true, "loss: 10%", 1024 * 1024);
        try (Lab lab = o.lab()) {
            List<TraceEvent> rtx = o.events("h1", "retransmit");
            assertThat(rtx).isNotEmpty();
            // Retransmissions go one MSS at a time (never a super-packet).
            assertThat(rtx).allSatisfy(e -> assertThat(((Number) e.detail().get("len")).intValue())
                    .isLessThanOrEqualTo(1449));
        }
    }

    @Test
    void ethtoolShowsAndTogglesTso() {
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY.formatted(1500, false, "loss: 0")), Lab.Options.virtual())) {
            lab.start();
            ExecResult k = lab.run("r1", "ethtool -k eth1");
            assertThat(k.exitCode()).isZero();
            assertThat(k.output()).contains("Features for eth1:", "tcp-segmentation-offload: off", "\ttx-tcp-segmentation: off",
                    "generic-receive-offload: off [fixed]");
            assertThat(lab.run("r1", "ethtool -K eth1 tso on").exitCode()).isZero();
            assertThat(lab.run("r1", "ethtool -k eth1").output()).contains("tcp-segmentation-offload: on");
            assertThat(lab.node("r1").networkInterface("eth1").orElseThrow().tso()).isTrue();
            assertThat(lab.trace().events(e -> e.node().equals("r1") && e.kind().equals("offload")))
                    .anyMatch(e -> "eth1".equals(e.detail().get("interface")) && "on".equals(e.detail().get("state")));
            ExecResult bad = lab.run("r1", "ethtool -K eth9 tso on");
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.output()).anyMatch(l -> l.contains("no such interface"));
            assertThat(lab.run("r1", "ethtool -K eth1 gro on").exitCode()).isEqualTo(1);
            assertThat(lab.run("r1", "ethtool -K eth1 tso maybe").exitCode()).isEqualTo(1);
            assertThat(lab.run("r1", "ethtool").exitCode()).isEqualTo(1);
        }
    }

    @Test
    void corruptionHitsOneSegmentNotTheSuperPacket() throws IOException {
        // The bus cuts a super-packet before corrupting it (as netem does): the damaged segment is
        // dropped by h2 for its checksum and retransmitted; the rest of the super-packet arrives.
        // r1 forwards onto lan2 without TSO, so it would cut any damaged super-packet itself: it must
        // refuse one rather than give damaged data fresh checksums.
        Outcome o = transfer("corrupt", 1500, false, "corrupt: 5%", 1024 * 1024);
        try (Lab lab = o.lab()) {
            assertThat(lab.node("h2").counters().get("tcp.dropped.bad_checksum")).as("segments h2 refused").isPositive();
            assertThat(o.events("h1", "retransmit")).isNotEmpty();
        }
    }

    @Test
    void slowStartCountsEverySegmentASuperPacketCovers() {
        // One ACK per super-packet must not slow slow start down: like Linux, it counts for every
        // segment it acknowledges. 4 MB over a 4 ms round trip, with and without TSO, in virtual time.
        long withTso = lapse(TOPOLOGY.formatted(1500, true, "loss: 0"));
        long without = lapse(TOPOLOGY.formatted(1500, true, "loss: 0").replace("tso: true", "tso: false"));
        assertThat(withTso).isLessThan(without * 3 / 2);
    }

    private static long lapse(String yaml) {
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual())) {
            lab.start();
            assertThat(lab.run("h1", "ping -c 1 10.0.2.10").exitCode()).isZero();
            VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
            byte[] data = new byte[4 << 20];
            long start = clock.nanos();
            TcpLabTest.Bulk bulk = new TcpLabTest.Bulk(lab, data).connect();
            assertThat(clock.runUntil(bulk::done, start + TimeUnit.MINUTES.toNanos(10))).isTrue();
            return clock.nanos() - start;
        }
    }
}
