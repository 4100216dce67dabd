package dev.wirelab.netstack.node;

import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.udp.UdpError;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.wirelab.netstack.node.TestLab.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UdpSocketTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void requestAndReplyAcrossRoutersWithEphemeralPorts() {
        TestLab.Chain c = new TestLab.Chain();
        UdpSocket server = c.pc2.udp().open(Ipv4Address.ANY, 53);
        server.onReceive(m -> server.sendTo(m.source(), m.sourcePort(), bytes("answer to " + new String(m.payload(), StandardCharsets.UTF_8))));
        UdpSocket client = c.pc1.udp().open();
        List<UdpMessage> got = new ArrayList<>();
        client.onReceive(got::add);

        assertThat(client.sendTo(ip("10.0.3.2"), 53, bytes("query")).ok()).isTrue();
        assertThat(client.localPort()).isEqualTo(32768); // first of Linux's ephemeral range, deterministic
        c.lab.runFor(50_000_000L);

        assertThat(got).singleElement().satisfies(m -> {
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("answer to query");
            assertThat(m.source()).isEqualTo(ip("10.0.3.2"));
            assertThat(m.sourcePort()).isEqualTo(53);
            assertThat(m.destination()).isEqualTo(ip("10.0.1.2"));
            assertThat(m.interfaceName()).isEqualTo("eth0");
            assertThat(m.ttl()).isEqualTo(62);
        });
        assertThat(c.pc1.udp().open().bind(Ipv4Address.ANY, 0).localPort()).isEqualTo(32769);
    }

    @Test
    void noSocketMeansPortUnreachableDeliveredToTheSender() {
        TestLab.Chain c = new TestLab.Chain();
        UdpSocket client = c.pc1.udp().open();
        List<UdpError> errors = new ArrayList<>();
        client.onError(errors::add);
        client.sendTo(ip("10.0.3.2"), 9999, bytes("anyone?"));
        c.lab.runFor(50_000_000L);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.reporter()).isEqualTo(ip("10.0.3.2"));
            assertThat(e.message().type()).isEqualTo(IcmpMessage.TYPE_DESTINATION_UNREACHABLE);
            assertThat(e.message().code()).isEqualTo(IcmpMessage.PORT_UNREACHABLE);
            assertThat(e.originalDestinationPort()).isEqualTo(9999);
        });
        assertThat(c.pc2.counters()).containsEntry("udp.dropped.no_socket", 1L);
    }

    @Test
    void bindRulesLikeTheSocketsApi() {
        TestLab.Chain c = new TestLab.Chain();
        UdpSocket a = c.pc1.udp().open(ip("10.0.1.2"), 5000);
        assertThatThrownBy(() -> c.pc1.udp().open(Ipv4Address.ANY, 5000)).hasMessageContaining("Address already in use");
        assertThatThrownBy(() -> c.pc1.udp().open(ip("10.0.1.2"), 5000)).hasMessageContaining("Address already in use");
        assertThatThrownBy(() -> c.pc1.udp().open(ip("10.0.9.9"), 5001)).hasMessageContaining("Cannot assign requested address");
        a.close();
        assertThat(c.pc1.udp().open(Ipv4Address.ANY, 5000).localPort()).isEqualTo(5000);
        assertThat(c.pc1.udp().open().sendTo(ip("10.0.1.77"), 0, bytes("x")).status()).isEqualTo(SendResult.Status.INVALID_ARGUMENT);
    }

    @Test
    void unroutableDestinationFailsLikeSendto() {
        TestLab lab = new TestLab();
        Host h = lab.host("h");
        lab.attach(h, "eth0", lab.hub("lan"), "192.168.7.2/24", 1500);
        h.start();
        assertThat(h.udp().open().sendTo(ip("8.8.8.8"), 53, bytes("q")).status())
                .isEqualTo(SendResult.Status.NETWORK_UNREACHABLE);
    }

    @Test
    void dhcpStyleBroadcastFromAnUnconfiguredHostAndBack() {
        TestLab lab = new TestLab();
        TestHub lan = lab.hub("lan");
        Host client = lab.host("client");
        Host server = lab.host("server");
        lab.attach(client, "eth0", lan, null, 1500); // no address yet
        lab.attach(server, "eth0", lan, "192.168.1.2/24", 1500);
        client.start();
        server.start();

        List<UdpMessage> atServer = new ArrayList<>();
        UdpSocket srv = server.udp().open(Ipv4Address.ANY, 67).setBroadcast(true).onReceive(atServer::add);
        UdpSocket cli = client.udp().open(Ipv4Address.ANY, 68).bindToDevice("eth0");
        List<UdpMessage> atClient = new ArrayList<>();
        cli.onReceive(atClient::add);

        // Without SO_BROADCAST: EACCES, as Linux.
        assertThat(cli.sendTo(Ipv4Address.BROADCAST, 67, bytes("DISCOVER")).status())
                .isEqualTo(SendResult.Status.PERMISSION_DENIED);
        cli.setBroadcast(true);
        assertThat(cli.sendTo(Ipv4Address.BROADCAST, 67, bytes("DISCOVER")).ok()).isTrue();
        lab.runFor(10_000_000L);
        assertThat(atServer).singleElement().satisfies(m -> {
            assertThat(m.source()).isEqualTo(Ipv4Address.ANY); // RFC 2131 4.1: the client has no address yet
            assertThat(m.destination()).isEqualTo(Ipv4Address.BROADCAST);
            assertThat(m.sourcePort()).isEqualTo(68);
        });
        EthernetFrame discover = EthernetFrame.parse(lan.frames().getLast());
        assertThat(discover.destination()).isEqualTo(MacAddress.BROADCAST);

        srv.bindToDevice("eth0").sendTo(Ipv4Address.BROADCAST, 68, bytes("OFFER"));
        lab.runFor(10_000_000L);
        assertThat(atClient).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("OFFER");
        // A broadcast nobody listens to gets no port unreachable (RFC 1122 3.2.2).
        srv.sendTo(Ipv4Address.BROADCAST, 69, bytes("nobody"));
        lab.runFor(10_000_000L);
        assertThat(client.counters()).containsEntry("udp.dropped.no_socket", 1L)
                .containsEntry("icmp.error_suppressed.to_broadcast_or_multicast", 1L);
    }

    @Test
    void bigDatagramIsFragmentedByTheRouterAndReassembled() {
        TestLab.Chain c = new TestLab.Chain(576);
        byte[] big = new byte[3000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        List<UdpMessage> got = new ArrayList<>();
        c.pc2.udp().open(Ipv4Address.ANY, 7000).onReceive(got::add);
        UdpSocket s = c.pc1.udp().open().setPmtuDiscovery(PmtuDiscovery.DONT);
        assertThat(s.sendTo(ip("10.0.3.2"), 7000, big).ok()).isTrue();
        c.lab.runFor(50_000_000L);
        assertThat(got).singleElement().satisfies(m -> assertThat(m.payload()).isEqualTo(big));
        List<Ipv4Packet> onMid = c.mid.frames().stream().map(EthernetFrame::parse)
                .filter(e -> e.etherType() == EthernetFrame.ETHERTYPE_IPV4)
                .map(e -> Ipv4Packet.parse(e.payload(), 0, e.payload().length)).toList();
        // pc1 fragments for its 1500-byte link (1480 + 1480 + 48), r1 fragments those fragments again
        // for 576 (RFC 791 3.2: offsets add up, MF stays set on all but the very last piece).
        assertThat(onMid).extracting(Ipv4Packet::fragmentOffset).containsExactly(0, 552, 1104, 1480, 2032, 2584, 2960);
        assertThat(onMid).extracting(Ipv4Packet::moreFragments).containsExactly(true, true, true, true, true, true, false);
        assertThat(onMid).allSatisfy(p -> assertThat(p.totalLength()).isLessThanOrEqualTo(576));
    }
}
