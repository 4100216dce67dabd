package dev.wirelab.netstack.node;

import dev.wirelab.netstack.arp.NeighborState;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.wirelab.netstack.node.TestLab.ip;
import static org.assertj.core.api.Assertions.assertThat;

/** Two hosts on one segment: ARP resolution, queueing, failure, gratuitous ARP, local ping. */
class HostPairTest {

    private TestLab lab;
    private Host a;
    private Host b;
    private TestHub lan;

    @BeforeEach
    void setUp() {
        lab = new TestLab();
        lan = lab.hub("lan");
        a = lab.host("a");
        b = lab.host("b");
        lab.attach(a, "eth0", lan, "192.168.1.10/24", 1500);
        lab.attach(b, "eth0", lan, "192.168.1.20/24", 1500);
        a.start();
        b.start();
        lab.runFor(10_000_000L);
    }

    private static List<ArpPacket> arp(List<byte[]> frames) {
        return frames.stream().map(EthernetFrame::parse).filter(e -> e.etherType() == EthernetFrame.ETHERTYPE_ARP)
                .map(e -> ArpPacket.parse(e.payload(), 0, e.payload().length)).toList();
    }

    @Test
    void startAnnouncesEachAddressWithGratuitousArp() {
        assertThat(arp(lan.frames())).hasSize(2).allSatisfy(p -> {
            assertThat(p.isGratuitous()).isTrue();
            assertThat(p.isRequest()).isTrue();
        });
        // arp_accept=0: announcements do not create entries on the others.
        assertThat(a.neighbors("eth0")).isEmpty();
    }

    @Test
    void pingResolvesTheNeighbourOnceAndBothSidesLearn() {
        TestLab.Run run = lab.run(a, "ping -c 3 -i 0.2 192.168.1.20");
        assertThat(run.status()).isZero();
        // First echo waits for ARP (request + reply = 2 ms), then 2 ms round trips.
        assertThat(run.lines()).contains(
                "64 bytes from 192.168.1.20: icmp_seq=1 ttl=64 time=4.00 ms",
                "64 bytes from 192.168.1.20: icmp_seq=2 ttl=64 time=2.00 ms");
        List<ArpPacket> exchanged = arp(lan.frames()).subList(2, arp(lan.frames()).size());
        assertThat(exchanged).hasSize(2);
        assertThat(exchanged.get(0).isRequest()).isTrue();
        assertThat(exchanged.get(0).targetIp()).isEqualTo(ip("192.168.1.20"));
        assertThat(exchanged.get(1).isReply()).isTrue();
        assertThat(a.neighbors("eth0")).singleElement().satisfies(n -> assertThat(n.state()).isEqualTo(NeighborState.REACHABLE));
        // b learned a from the request it answered (RFC 826: target of the request adds the sender).
        assertThat(b.neighbors("eth0")).singleElement().satisfies(n -> {
            assertThat(n.ip()).isEqualTo(ip("192.168.1.10"));
            assertThat(n.state()).isIn(NeighborState.STALE, NeighborState.DELAY, NeighborState.REACHABLE);
        });
    }

    @Test
    void packetsQueuedWhileResolvingAreAllSentAfterTheReply() {
        // Three datagrams back to back before the ARP reply can arrive.
        var sock = a.udp().open();
        var got = new java.util.ArrayList<String>();
        b.udp().open(ip("0.0.0.0"), 9000).onReceive(m -> got.add(new String(m.payload())));
        for (String s : List.of("one", "two", "three")) {
            assertThat(sock.sendTo(ip("192.168.1.20"), 9000, s.getBytes()).ok()).isTrue();
        }
        assertThat(a.neighbors("eth0")).singleElement().satisfies(n -> {
            assertThat(n.state()).isEqualTo(NeighborState.INCOMPLETE);
            assertThat(n.queued()).isEqualTo(3);
        });
        assertThat(lab.events("a", "queued")).extracting(e -> e.detail().get("queue_length")).containsExactly(1, 2, 3);
        lab.runFor(10_000_000L);
        assertThat(got).containsExactly("one", "two", "three");
        // Socket calls are traced like system calls.
        assertThat(lab.events(e -> e.node().equals("a") && e.kind().equals("syscall")))
                .extracting(e -> e.detail().get("call")).containsExactly("bind", "sendto", "sendto", "sendto");
    }

    @Test
    void unansweredArpFailsAfterThreeRequestsAndPingReportsHostUnreachable() {
        TestLab.Run run = lab.run(a, "ping -c 1 -W 5 192.168.1.99");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).contains("From 192.168.1.10 icmp_seq=1 Destination Host Unreachable");
        List<ArpPacket> requests = arp(lan.frames()).stream()
                .filter(p -> p.targetIp().equals(ip("192.168.1.99"))).toList();
        assertThat(requests).hasSize(3);
        assertThat(a.counters()).containsEntry("ipv4.dropped.neighbor_unreachable", 1L);
        List<TraceEvent> changes = lab.events(e -> e.node().equals("a") && e.kind().equals("neighbor_state"));
        assertThat(changes).extracting(e -> e.detail().get("from") + ">" + e.detail().get("to"))
                .containsExactly("NONE>INCOMPLETE", "INCOMPLETE>FAILED");
        assertThat(changes.get(1).detail()).containsEntry("cause", "no reply to 3 requests");
        assertThat(lab.run(a, "arp -n").lines()).containsExactly(
                "Address                  HWtype  HWaddress           Flags Mask            Iface",
                "192.168.1.99                     (incomplete)                              eth0");
        // The FAILED entry is garbage collected after 60 s.
        lab.runFor(61_000_000_000L);
        assertThat(a.neighbors("eth0")).isEmpty();
    }

    @Test
    void neighbourGoesStaleAfterReachableTimeAndIsReprobedOnUse() {
        lab.run(a, "ping -c 1 192.168.1.20");
        lab.runFor(31_000_000_000L);
        assertThat(a.neighbors("eth0").get(0).state()).isEqualTo(NeighborState.STALE);
        TestLab.Run run = lab.run(a, "ping -c 1 192.168.1.20");
        assertThat(run.lines()).contains("64 bytes from 192.168.1.20: icmp_seq=1 ttl=64 time=2.00 ms"); // no ARP wait
        lab.runFor(7_000_000_000L); // DELAY (5 s) -> PROBE: unicast request, answered -> REACHABLE
        assertThat(a.neighbors("eth0").get(0).state()).isEqualTo(NeighborState.REACHABLE);
        ArpPacket probe = arp(lan.frames()).getLast();
        assertThat(probe.isReply()).isTrue();
        EthernetFrame probeFrame = lan.frames().stream().map(EthernetFrame::parse)
                .filter(e -> e.etherType() == EthernetFrame.ETHERTYPE_ARP).toList().reversed().get(1);
        assertThat(probeFrame.destination()).isEqualTo(b.networkInterface("eth0").orElseThrow().mac()); // unicast
    }

    @Test
    void pingOwnAddressLoopsBack() {
        TestLab.Run run = lab.run(a, "ping -c 1 192.168.1.10");
        assertThat(run.status()).isZero();
        assertThat(run.lines()).contains("64 bytes from 192.168.1.10: icmp_seq=1 ttl=64 time=0.000 ms");
    }

    @Test
    void broadcastPingIsIgnoredLikeLinux() {
        TestLab.Run run = lab.run(a, "ping -c 1 -W 1 192.168.1.255");
        assertThat(run.status()).isEqualTo(1);
        assertThat(b.counters()).containsEntry("icmp.dropped.echo_to_broadcast_ignored", 1L);
    }

    @Test
    void usageErrorsExitWithStatus2() {
        assertThat(lab.run(a, "ping").status()).isEqualTo(2);
        TestLab.Run bad = lab.run(a, "ping -c 1 -M maybe 192.168.1.20");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.lines()).containsExactly("ping: invalid -M argument: maybe");
        assertThat(lab.run(a, "ping -x 192.168.1.20").lines()).containsExactly("ping: invalid option -- 'x'");
        assertThat(lab.run(a, "ping -c 1 no.such.host").lines()).containsExactly("ping: no.such.host: Name or service not known");
    }
}
