package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The foundation's acceptance scenarios, run through the topology files, the real bus and the
 * real stacks in virtual time, with tshark judging every capture.
 *
 * <pre>
 *   pc1 .10 [lan1 10.0.1.0/24] .1 r1 .1 [core 10.0.0.0/30] .2 r2 .1 [lan2 10.0.2.0/24] .10 pc2
 * </pre>
 */
class RoutedLabAcceptanceTest {

    @Test
    void pingTracerouteTtlAndNoRouteAcrossThreeSegments() throws Exception {
        Path capture;
        try (Lab lab = Lab.build(Examples.load("three-segments.yaml"), Lab.Options.virtual())) {
            lab.start();

            ExecResult forth = lab.run("pc1", "ping -c 3 10.0.2.10");
            assertThat(forth.exitCode()).as(forth.text()).isZero();
            assertThat(forth.output()).contains("PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.");
            assertThat(forth.output()).anyMatch(l -> l.startsWith("64 bytes from 10.0.2.10: icmp_seq=1 ttl=62 time="));
            assertThat(forth.output()).anyMatch(l -> l.startsWith("3 packets transmitted, 3 received, 0% packet loss"));

            ExecResult back = lab.run("pc2", "ping -c 2 10.0.1.10");
            assertThat(back.exitCode()).as(back.text()).isZero();
            assertThat(back.output()).anyMatch(l -> l.startsWith("64 bytes from 10.0.1.10: icmp_seq=2 ttl=62"));

            ExecResult trace = lab.run("pc1", "traceroute -n -q 1 -w 1 10.0.2.10");
            assertThat(trace.exitCode()).as(trace.text()).isZero();
            assertThat(trace.output().get(0)).startsWith("traceroute to 10.0.2.10 (10.0.2.10), 30 hops max");
            assertThat(trace.output()).hasSize(4);
            assertThat(trace.output().get(1)).matches(" 1  10\\.0\\.1\\.1  \\d+\\.\\d{3} ms");
            assertThat(trace.output().get(2)).matches(" 2  10\\.0\\.0\\.2  \\d+\\.\\d{3} ms");
            assertThat(trace.output().get(3)).matches(" 3  10\\.0\\.2\\.10  \\d+\\.\\d{3} ms");

            ExecResult ttl1 = lab.run("pc1", "ping -c 1 -t 1 10.0.2.10");
            assertThat(ttl1.exitCode()).as(ttl1.text()).isEqualTo(1);
            assertThat(ttl1.output()).contains("From 10.0.1.1 icmp_seq=1 Time to live exceeded");

            ExecResult noRoute = lab.run("pc1", "ping -c 1 198.51.100.7");
            assertThat(noRoute.exitCode()).as(noRoute.text()).isEqualTo(1);
            assertThat(noRoute.output()).contains("From 10.0.1.1 icmp_seq=1 Destination Net Unreachable");

            // The on-link/gateway decision is an event, with the mask AND that made it.
            assertThat(lab.trace().events(e -> e.node().equals("pc1") && e.layer().equals("route")))
                    .anyMatch(e -> e.detail().get("destination").equals("10.0.2.10")
                            && "gateway".equals(e.detail().get("result"))
                            && "0.0.0.0".equals(e.detail().get("destination_and_mask"))
                            && "10.0.1.1".equals(e.detail().get("via")));
            capture = Captures.save(lab, "three-segments");
            assertOurDecodeAgreesWithTshark(lab.trace().frames(), capture);
        }
    }

    @Test
    void smallMtuFragmentsWithDfClearAndReportsFragNeededWithDfSet() throws Exception {
        try (Lab lab = Lab.build(Examples.load("mtu-576.yaml"), Lab.Options.virtual())) {
            lab.start();

            ExecResult big = lab.run("pc1", "ping -c 2 -s 1372 -M dont 10.0.2.10");
            assertThat(big.exitCode()).as(big.text()).isZero();
            assertThat(big.output()).anyMatch(l -> l.startsWith("1380 bytes from 10.0.2.10: icmp_seq=1 ttl=62"));

            // r1 fragmented the 1400-byte request for the 576-byte core; pc2 reassembled it.
            List<Ipv4Packet> onCore = ipPackets(lab.trace().frames(), "core");
            List<Ipv4Packet> requestFragments = onCore.stream()
                    .filter(p -> p.source().toString().equals("10.0.1.10") && p.isFragment()).toList();
            assertThat(requestFragments).hasSizeGreaterThanOrEqualTo(6); // 2 pings x 3 fragments
            assertThat(requestFragments).allSatisfy(p -> assertThat(p.totalLength()).isLessThanOrEqualTo(576));
            assertThat(requestFragments).anyMatch(p -> p.fragmentOffset() == 0 && p.moreFragments());
            assertThat(requestFragments).anyMatch(p -> p.fragmentOffset() > 0 && !p.moreFragments());
            assertThat(lab.trace().events(e -> e.node().equals("r1") && e.kind().contains("fragment"))).isNotEmpty();
            assertThat(lab.trace().events(e -> e.node().equals("pc2") && e.kind().contains("reassembl"))).isNotEmpty();

            ExecResult df = lab.run("pc1", "ping -c 1 -s 1372 -M do 10.0.2.10");
            assertThat(df.exitCode()).as(df.text()).isEqualTo(1);
            assertThat(df.output()).contains("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 576)");

            Path capture = Captures.save(lab, "mtu-576");
            // The fragmentation-needed message carries next-hop MTU 576 on the wire (RFC 1191 section 4).
            List<Map<String, String>> fragNeeded = Tshark.fields(capture, false, "icmp.type == 3 && icmp.code == 4",
                    "ip.src", "icmp.mtu");
            assertThat(fragNeeded).isNotEmpty();
            assertThat(fragNeeded).allSatisfy(r -> assertThat(r.get("icmp.mtu")).isEqualTo("576"));
            // tshark reassembles what our router fragmented into the original 1400-byte datagram.
            List<Map<String, String>> reassembled = Tshark.fields(capture, true,
                    "icmp.type == 8 && ip.src == 10.0.1.10 && ip.len == 1400 || (icmp.type == 8 && ip.fragment.count >= 3)",
                    "ip.reassembled.length", "ip.fragment.count");
            assertThat(reassembled).isNotEmpty();
            assertOurDecodeAgreesWithTshark(lab.trace().frames(), capture);
        }
    }

    private static List<Ipv4Packet> ipPackets(List<CapturedFrame> frames, String segment) {
        List<Ipv4Packet> out = new ArrayList<>();
        for (CapturedFrame f : frames) {
            if (!f.segment().equals(segment)) {
                continue;
            }
            EthernetFrame eth = EthernetFrame.parse(f.bytes());
            if (eth.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
                out.add(Ipv4Packet.parse(eth.payload(), 0, eth.payload().length));
            }
        }
        return out;
    }

    /**
     * tshark must find zero malformed frames and zero bad checksums, and its decode of every
     * frame must equal ours: addresses, TTL, fragment offset, ICMP type and code.
     */
    static void assertOurDecodeAgreesWithTshark(List<CapturedFrame> frames, Path capture) throws Exception {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark not installed");
        Tshark.Verdict verdict = Tshark.judge(capture);
        assertThat(verdict.problems()).as("frames tshark flags in " + capture).isEmpty();
        assertThat(verdict.frames()).isEqualTo(frames.size());

        List<Map<String, String>> rows = Tshark.fields(capture, false, null,
                "eth.src", "eth.dst", "ip.src", "ip.dst", "ip.ttl", "ip.frag_offset", "ip.flags.mf", "icmp.type", "icmp.code");
        assertThat(rows).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Map<String, String> t = rows.get(i);
            EthernetFrame eth = EthernetFrame.parse(frames.get(i).bytes());
            String at = "frame " + (i + 1) + " of " + capture;
            assertThat(Tshark.first(t.get("eth.src"))).as(at).isEqualTo(eth.source().toString());
            assertThat(Tshark.first(t.get("eth.dst"))).as(at).isEqualTo(eth.destination().toString());
            if (eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                assertThat(t.get("ip.src")).as(at).isEmpty();
                continue;
            }
            Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), 0, eth.payload().length);
            assertThat(Tshark.first(t.get("ip.src"))).as(at).isEqualTo(ip.source().toString());
            assertThat(Tshark.first(t.get("ip.dst"))).as(at).isEqualTo(ip.destination().toString());
            assertThat(Tshark.first(t.get("ip.ttl"))).as(at).isEqualTo(String.valueOf(ip.ttl()));
            assertThat(Integer.parseInt(Tshark.first(t.get("ip.frag_offset")))).as(at)
                    .isIn(ip.fragmentOffset(), ip.fragmentOffset() / 8);
            assertThat(Tshark.first(t.get("ip.flags.mf"))).as(at).isIn(ip.moreFragments() ? "1" : "0",
                    ip.moreFragments() ? "True" : "False");
            if (ip.protocol() == Ipv4Packet.PROTOCOL_ICMP && !ip.isFragment()) {
                IcmpMessage icmp = IcmpMessage.parse(ip.payload(), 0, ip.payload().length);
                assertThat(Tshark.first(t.get("icmp.type"))).as(at).isEqualTo(String.valueOf(icmp.type()));
                assertThat(Tshark.first(t.get("icmp.code"))).as(at).isEqualTo(String.valueOf(icmp.code()));
            } else if (ip.protocol() == Ipv4Packet.PROTOCOL_ICMP && ip.fragmentOffset() == 0) {
                // A first fragment carries the ICMP header but not the whole message its checksum covers.
                assertThat(Tshark.first(t.get("icmp.type"))).as(at).isEqualTo(String.valueOf(ip.payload()[0] & 0xFF));
            }
        }
    }
}
