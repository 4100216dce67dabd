package dev.wirelab.netstack.node;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The foundation acceptance topology: pc1 - r1 - r2 - pc2 on three segments, all in virtual time. */
class RoutedLabTest {

    private static List<Ipv4Packet> ipv4(List<byte[]> frames) {
        List<Ipv4Packet> out = new ArrayList<>();
        for (byte[] f : frames) {
            EthernetFrame e = EthernetFrame.parse(f);
            if (e.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
                out.add(Ipv4Packet.parse(e.payload(), 0, e.payload().length));
            }
        }
        return out;
    }

    private static List<TraceEvent> kind(TestLab lab, String node, String kind) {
        return lab.events(node, kind);
    }

    @Test
    void pingAcrossTwoRoutersBothWays() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 3 -i 0.2 10.0.3.2");
        assertThat(run.status()).isZero();
        assertThat(run.lines().get(0)).isEqualTo("PING 10.0.3.2 (10.0.3.2) 56(84) bytes of data.");
        // 1 ms per segment: 3 hops each way = 6 ms, plus ARP on three segments the first time.
        assertThat(run.lines().subList(1, 4)).containsExactly(
                "64 bytes from 10.0.3.2: icmp_seq=1 ttl=62 time=12.0 ms",
                "64 bytes from 10.0.3.2: icmp_seq=2 ttl=62 time=6.00 ms",
                "64 bytes from 10.0.3.2: icmp_seq=3 ttl=62 time=6.00 ms");
        assertThat(run.lines().subList(4, run.lines().size())).containsExactly(
                "",
                "--- 10.0.3.2 ping statistics ---",
                "3 packets transmitted, 3 received, 0% packet loss, time 406ms",
                "rtt min/avg/max/mdev = 6.000/8.000/12.000/2.828 ms");

        TestLab.Run back = c.lab.run(c.pc2, "ping -c 2 -i 0.2 10.0.1.2");
        assertThat(back.status()).isZero();
        assertThat(back.lines()).contains("64 bytes from 10.0.1.2: icmp_seq=1 ttl=62 time=6.00 ms",
                "2 packets transmitted, 2 received, 0% packet loss, time 206ms");

        assertThat(c.r1.counters()).containsEntry("ipv4.forwarded", 10L);
        // Routers rewrite MACs per hop: on the middle segment the frames go r1 -> r2 and back.
        for (byte[] f : c.mid.frames()) {
            EthernetFrame e = EthernetFrame.parse(f);
            assertThat(e.source()).isIn(c.r1.networkInterface("eth1").orElseThrow().mac(),
                    c.r2.networkInterface("eth0").orElseThrow().mac());
        }
    }

    @Test
    void hostDecidesGatewayOrOnLinkWithTheMaskAndTracesIt() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.run(c.pc1, "ping -c 1 10.0.3.2");
        TraceEvent decision = kind(c.lab, "pc1", "lookup").get(0);
        assertThat(decision.layer()).isEqualTo("route");
        assertThat(decision.detail()).containsEntry("destination", "10.0.3.2")
                .containsEntry("mask", "0.0.0.0").containsEntry("result", "gateway")
                .containsEntry("via", "10.0.1.1").containsEntry("interface", "eth0");
        c.lab.run(c.pc1, "ping -c 1 10.0.1.1");
        TraceEvent onLink = kind(c.lab, "pc1", "lookup").getLast();
        assertThat(onLink.detail()).containsEntry("mask", "255.255.255.0")
                .containsEntry("destination_and_mask", "10.0.1.0").containsEntry("result", "on-link");
    }

    @Test
    void tracerouteListsR1R2AndPc2() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "traceroute -n -q 1 -w 1 -m 10 10.0.3.2");
        assertThat(run.status()).isZero();
        assertThat(run.lines()).containsExactly(
                "traceroute to 10.0.3.2 (10.0.3.2), 10 hops max, 60 byte packets",
                " 1  10.0.1.1  4.000 ms",
                " 2  10.0.2.2  6.000 ms",
                " 3  10.0.3.2  8.000 ms");
        // The probes were UDP to 33434, 33435, 33436 with TTL 1, 2, 3.
        List<Ipv4Packet> probes = ipv4(c.lan1.frames()).stream()
                .filter(p -> p.protocol() == Ipv4Packet.PROTOCOL_UDP).toList();
        assertThat(probes).extracting(Ipv4Packet::ttl).containsExactly(1, 2, 3);
        assertThat(probes).extracting(p -> ((p.payload()[2] & 0xFF) << 8) | (p.payload()[3] & 0xFF))
                .containsExactly(33434, 33435, 33436);
        assertThat(probes).allSatisfy(p -> assertThat(p.totalLength()).isEqualTo(60));
        // pc2 has no socket on those ports: port unreachable (RFC 1122 4.1.3.1).
        assertThat(c.pc2.counters()).containsEntry("udp.dropped.no_socket", 1L);
    }

    @Test
    void tracerouteWithThreeQueriesAndAStarForASilentHop() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.runFor(1_000_000_000L);
        c.r2.stop(); // r2 answers nothing: hop 2 and beyond are stars
        TestLab.Run run = c.lab.run(c.pc1, "traceroute -n -w 1 -m 3 10.0.3.2");
        assertThat(run.lines()).containsExactly(
                "traceroute to 10.0.3.2 (10.0.3.2), 3 hops max, 60 byte packets",
                " 1  10.0.1.1  4.000 ms  2.000 ms  2.000 ms",
                " 2  * * *",
                " 3  * * *");
    }

    @Test
    void ttlOneGetsTimeExceededFromR1() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 1 -t 1 10.0.3.2");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).containsExactly(
                "PING 10.0.3.2 (10.0.3.2) 56(84) bytes of data.",
                "From 10.0.1.1 icmp_seq=1 Time to live exceeded",
                "",
                "--- 10.0.3.2 ping statistics ---",
                "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 4ms");
        assertThat(c.r1.counters()).containsEntry("ipv4.dropped.ttl_exceeded", 1L);
        assertThat(kind(c.lab, "r1", "ttl_expired")).hasSize(1);
        // The error on the wire: type 11 code 0, quoting our echo request's header.
        Ipv4Packet err = ipv4(c.lan1.frames()).stream()
                .filter(p -> p.protocol() == Ipv4Packet.PROTOCOL_ICMP && p.source().equals(Ipv4Address.parse("10.0.1.1")))
                .findFirst().orElseThrow();
        IcmpMessage m = IcmpMessage.parse(err.payload(), 0, err.payload().length);
        assertThat(m.type()).isEqualTo(IcmpMessage.TYPE_TIME_EXCEEDED);
        assertThat(m.code()).isEqualTo(IcmpMessage.TTL_EXCEEDED_IN_TRANSIT);
        assertThat(m.quotedPacket().destination()).isEqualTo(Ipv4Address.parse("10.0.3.2"));
        assertThat(m.quotedPacket().ttl()).isEqualTo(1);
    }

    @Test
    void addressWithoutRouteGetsNetUnreachable() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 2 -i 0.2 -W 1 10.9.9.9");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).contains(
                "From 10.0.1.1 icmp_seq=1 Destination Net Unreachable",
                "From 10.0.1.1 icmp_seq=2 Destination Net Unreachable",
                "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 202ms");
        assertThat(c.r1.counters()).containsEntry("ipv4.dropped.no_route", 2L);
    }

    @Test
    void hostWithoutAnyRouteFailsLocally() {
        TestLab lab = new TestLab();
        Host h = lab.host("lonely");
        lab.attach(h, "eth0", lab.hub("lan"), "192.168.5.5/24", 1500);
        h.start();
        TestLab.Run run = lab.run(h, "ping -c 1 8.8.8.8");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.lines()).containsExactly("ping: connect: Network is unreachable");
    }

    @Test
    void unresolvableNextHopBehindARouterGetsHostUnreachableFromThatRouter() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 1 -W 5 10.0.3.99");
        // RFC 1812 4.3.2.4: the error's source is the address of the interface it leaves from (r2 eth0).
        assertThat(run.lines()).contains("From 10.0.2.2 icmp_seq=1 Destination Host Unreachable");
        // ARP gives up after 3 requests 1 s apart (Linux mcast_solicit=3, retrans_time=1 s).
        assertThat(run.lines()).contains("1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 3008ms");
        assertThat(c.r2.counters()).containsEntry("ipv4.dropped.neighbor_unreachable", 1L);
        List<TraceEvent> states = c.lab.events(e -> e.node().equals("r2") && e.kind().equals("neighbor_state")
                && "10.0.3.99".equals(e.detail().get("ip")));
        assertThat(states).extracting(e -> e.detail().get("to")).containsExactly("INCOMPLETE", "FAILED");
        assertThat(c.lab.events(e -> e.node().equals("r2") && e.kind().equals("request_sent")
                && "10.0.3.99".equals(e.detail().get("target")))).hasSize(3);
    }

    @Test
    void mtu576MiddleLinkFragmentsA1400BytePingAndTheReplyBothWays() {
        TestLab.Chain c = new TestLab.Chain(576);
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 2 -i 0.2 -s 1400 -M dont 10.0.3.2");
        assertThat(run.status()).isZero();
        assertThat(run.lines()).contains("PING 10.0.3.2 (10.0.3.2) 1400(1428) bytes of data.",
                "1408 bytes from 10.0.3.2: icmp_seq=2 ttl=62 time=6.00 ms",
                "2 packets transmitted, 2 received, 0% packet loss, time 206ms");

        TraceEvent frag = kind(c.lab, "r1", "fragment").get(0);
        assertThat(frag.detail()).containsEntry("fragments", 3).containsEntry("sizes", "[572, 572, 324]")
                .containsEntry("mtu", 576);
        // The reply crosses the small link the other way: r2 fragments it, pc1 reassembles it.
        assertThat(kind(c.lab, "r2", "fragment")).hasSize(2);
        assertThat(kind(c.lab, "pc2", "reassembly_complete")).hasSize(2)
                .allSatisfy(e -> assertThat(e.detail()).containsEntry("fragments", 3).containsEntry("total_length", 1428));
        assertThat(kind(c.lab, "pc1", "reassembly_complete")).hasSize(2);

        List<Ipv4Packet> onMid = ipv4(c.mid.frames()).stream()
                .filter(p -> p.destination().equals(Ipv4Address.parse("10.0.3.2"))).toList();
        assertThat(onMid).extracting(Ipv4Packet::fragmentOffset).containsExactly(0, 552, 1104, 0, 552, 1104);
        assertThat(onMid).extracting(Ipv4Packet::moreFragments).containsExactly(true, true, false, true, true, false);
        assertThat(onMid).allSatisfy(p -> assertThat(p.totalLength()).isLessThanOrEqualTo(576));
    }

    @Test
    void dfSetGetsFragmentationNeededWithNextHopMtu576() {
        TestLab.Chain c = new TestLab.Chain(576);
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 1 -s 1400 -M do 10.0.3.2");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).containsExactly(
                "PING 10.0.3.2 (10.0.3.2) 1400(1428) bytes of data.",
                "From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 576)",
                "",
                "--- 10.0.3.2 ping statistics ---",
                "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 4ms");
        assertThat(c.r1.counters()).containsEntry("ipv4.dropped.fragmentation_needed", 1L);
        assertThat(c.mid.frames().stream().map(f -> EthernetFrame.parse(f).etherType()))
                .doesNotContain(EthernetFrame.ETHERTYPE_IPV4);
        Ipv4Packet err = ipv4(c.lan1.frames()).stream()
                .filter(p -> p.source().equals(Ipv4Address.parse("10.0.1.1"))).findFirst().orElseThrow();
        IcmpMessage m = IcmpMessage.parse(err.payload(), 0, err.payload().length);
        assertThat(m.code()).isEqualTo(IcmpMessage.FRAGMENTATION_NEEDED);
        assertThat(m.nextHopMtu()).isEqualTo(576);

        // pc1 learned the path MTU (RFC 1191): -M do now fails locally, like Linux ping.
        TestLab.Run again = c.lab.run(c.pc1, "ping -c 1 -s 1400 -M do 10.0.3.2");
        assertThat(again.lines()).contains("ping: local error: message too long, mtu=576");
        // ... and the default (-M want) fragments at the source, so it gets through.
        TestLab.Run want = c.lab.run(c.pc1, "ping -c 1 -s 1400 10.0.3.2");
        assertThat(want.status()).isZero();
        assertThat(kind(c.lab, "pc1", "fragment")).isNotEmpty();
    }

    @Test
    void reassemblyTimesOutAfter30SecondsWithTimeExceededCode1() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.run(c.pc1, "ping -c 1 10.0.3.2"); // everyone's ARP caches are warm
        // Inject the first two fragments of a 3-fragment datagram from pc1 to pc2 on lan2, as r2 would.
        TestHub.Port raw = c.lan2.port("raw");
        MacAddress r2mac = c.r2.networkInterface("eth1").orElseThrow().mac();
        MacAddress pc2mac = c.pc2.networkInterface("eth0").orElseThrow().mac();
        byte[] echo = IcmpMessage.echoRequest(77, 1, new byte[1400]).encode();
        Ipv4Packet whole = new Ipv4Packet(0, 999, false, false, 0, 62, Ipv4Packet.PROTOCOL_ICMP,
                Ipv4Address.parse("10.0.1.2"), Ipv4Address.parse("10.0.3.2"), new byte[0], echo);
        List<Ipv4Packet> frags = dev.wirelab.netstack.ip.Fragmenter.fragment(whole, 576);
        raw.send(EthernetFrame.of(pc2mac, r2mac, EthernetFrame.ETHERTYPE_IPV4, frags.get(0).encode()).encode());
        raw.send(EthernetFrame.of(pc2mac, r2mac, EthernetFrame.ETHERTYPE_IPV4, frags.get(1).encode()).encode());
        // ... and only a non-initial fragment of another datagram: it times out without ICMP.
        Ipv4Packet other = whole.fragment(new byte[0], true, 552, new byte[552]).withTtl(62);
        Ipv4Packet otherId = new Ipv4Packet(0, 1000, false, true, 552, 62, Ipv4Packet.PROTOCOL_ICMP,
                other.source(), other.destination(), new byte[0], new byte[552]);
        raw.send(EthernetFrame.of(pc2mac, r2mac, EthernetFrame.ETHERTYPE_IPV4, otherId.encode()).encode());

        c.lab.runFor(29_000_000_000L);
        assertThat(kind(c.lab, "pc2", "reassembly_timeout")).isEmpty();
        c.lab.runFor(2_000_000_000L);
        assertThat(kind(c.lab, "pc2", "reassembly_timeout")).hasSize(2);
        assertThat(c.pc2.counters()).containsEntry("ipv4.dropped.reassembly_timeout", 2L);
        // One ICMP time exceeded (code 1), for the datagram whose fragment 0 arrived, reaching pc1.
        List<TraceEvent> sent = c.lab.events(e -> e.node().equals("pc2") && e.kind().equals("error_sent"));
        assertThat(sent).singleElement().satisfies(e -> assertThat(e.detail())
                .containsEntry("type", 11).containsEntry("code", 1).containsEntry("to", "10.0.1.2"));
        List<TraceEvent> got = c.lab.events(e -> e.node().equals("pc1") && e.kind().equals("error_received"));
        assertThat(got).singleElement().satisfies(e -> assertThat(e.detail())
                .containsEntry("text", "Frag reassembly time exceeded").containsEntry("from", "10.0.3.2"));
    }

    @Test
    void directedBroadcastIsNotForwarded() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "ping -c 1 -W 1 10.0.3.255");
        assertThat(run.status()).isEqualTo(1);
        assertThat(c.r2.counters()).containsEntry("ipv4.dropped.directed_broadcast_not_forwarded", 1L);
        assertThat(ipv4(c.lan2.frames())).isEmpty(); // only the start-up gratuitous ARPs
    }

    @Test
    void echoTrafficIsTracedOnBothEnds() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.run(c.pc1, "ping -c 1 10.0.3.2");
        assertThat(kind(c.lab, "pc1", "echo_request_sent")).singleElement()
                .satisfies(e -> assertThat(e.detail()).containsEntry("to", "10.0.3.2").containsEntry("seq", 1));
        assertThat(kind(c.lab, "pc2", "echo_request_received")).singleElement()
                .satisfies(e -> assertThat(e.detail()).containsEntry("ttl", 62));
        assertThat(kind(c.lab, "pc2", "echo_reply_sent")).hasSize(1);
        assertThat(kind(c.lab, "pc1", "echo_reply_received")).hasSize(1);
    }

    @Test
    void udpToARouterWithoutSocketGetsPortUnreachableFromIt() {
        TestLab.Chain c = new TestLab.Chain();
        TestLab.Run run = c.lab.run(c.pc1, "traceroute -n -q 1 -w 1 10.0.2.2");
        assertThat(run.lines()).containsExactly(
                "traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets",
                " 1  10.0.1.1  4.000 ms",
                " 2  10.0.2.2  6.000 ms"); // r1 resolves r2 first: 2 ms of ARP
        assertThat(c.r2.counters()).containsEntry("udp.dropped.no_socket", 1L);
    }

    @Test
    void viewsPrintLikeIproute2AndNetTools() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.run(c.pc1, "ping -c 1 10.0.3.2");
        MacAddress pc1mac = c.pc1.networkInterface("eth0").orElseThrow().mac();
        MacAddress r1mac = c.r1.networkInterface("eth0").orElseThrow().mac();
        assertThat(c.lab.run(c.pc1, "ip addr").lines()).containsExactly(
                "1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
                "    link/ether " + pc1mac + " brd ff:ff:ff:ff:ff:ff",
                "    inet 10.0.1.2/24 brd 10.0.1.255 scope global eth0",
                "       valid_lft forever preferred_lft forever");
        assertThat(c.lab.run(c.r1, "ip route").lines()).containsExactly(
                "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.1",
                "10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.1",
                "10.0.3.0/24 via 10.0.2.2 dev eth1");
        assertThat(c.lab.run(c.pc1, "ip route").lines()).containsExactly(
                "default via 10.0.1.1 dev eth0",
                "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2");
        assertThat(c.lab.run(c.pc1, "arp -n").lines()).containsExactly(
                "Address                  HWtype  HWaddress           Flags Mask            Iface",
                "10.0.1.1                 ether   " + r1mac + "   C                     eth0");
        assertThat(c.lab.run(c.pc1, "ip neigh").lines()).containsExactly(
                "10.0.1.1 dev eth0 lladdr " + r1mac + " REACHABLE");
        assertThat(c.lab.run(c.pc1, "ip route get 10.0.3.2").lines()).containsExactly(
                "10.0.3.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0", "    cache");
        TestLab.Run unknown = c.lab.run(c.pc1, "telnet example.com");
        assertThat(unknown.status()).isEqualTo(127);
        assertThat(unknown.lines()).containsExactly("sh: telnet: command not found");
    }

    @Test
    void programsAreTraced() {
        TestLab.Chain c = new TestLab.Chain();
        c.lab.run(c.pc1, "ip route");
        assertThat(c.lab.events(e -> e.layer().equals("program") && e.node().equals("pc1")))
                .extracting(TraceEvent::kind).containsExactly("start", "exit");
    }

    @Test
    void sameLabSameTraceBytes() {
        List<String> first = scenario();
        List<String> second = scenario();
        assertThat(second).isEqualTo(first);
    }

    private static List<String> scenario() {
        TestLab.Chain c = new TestLab.Chain(576);
        c.lab.run(c.pc1, "ping -c 2 -i 0.2 -s 1400 -M dont 10.0.3.2");
        c.lab.run(c.pc1, "traceroute -n -q 1 -w 1 10.0.3.2");
        List<String> out = new ArrayList<>();
        c.lab.trace.frames().forEach(f -> out.add(f.timeNanos() + " " + f.segment() + " " + java.util.HexFormat.of().formatHex(f.bytes())));
        c.lab.trace.events().forEach(e -> out.add(e.toString()));
        return out;
    }
}
