package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static dev.wirelab.netstack.tcp.TcpScript.DUT;
import static dev.wirelab.netstack.tcp.TcpScript.FIN;
import static dev.wirelab.netstack.tcp.TcpScript.PEER;
import static dev.wirelab.netstack.tcp.TcpScript.RST;
import static dev.wirelab.netstack.tcp.TcpScript.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;

import org.junit.jupiter.api.Test;

/** CLOSED (RFC 9293 section 3.10.7.1): every segment for no socket gets a RST, except a RST. */
class ClosedStateTest {

    final TcpScript s = new TcpScript();

    @Test
    void aSynToAClosedPortIsRefusedWithRstAck() {
        s.at(3).inject(s.seg(SYN).seq(777).ports(40000, 81));
        // "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
        s.expectAt(3).flags(RST | ACK).seq(0).ack(778).ports(81, 40000).win(0).len(0);
        s.inject(s.seg(FIN).seq(10).data(5));
        s.expect().flags(RST | ACK).seq(0).ack(16);
        assertThat(s.counter("dropped.no_socket")).isEqualTo(2);
        assertThat(s.counter("resets_sent")).isEqualTo(2);
        assertThat(s.events("reset_sent")).hasSize(2);
    }

    @Test
    void anAckForNoSocketGetsRstWithItsAckAsSequence() {
        s.inject(s.seg(ACK).seq(5).ack(123_456).data(20));
        s.expect().flags(RST).seq(123_456).ack(0);
    }

    @Test
    void aResetForNoSocketIsDropped() {
        s.inject(s.seg(RST).seq(5));
        s.inject(s.seg(RST | ACK).seq(5).ack(9));
        s.expectNothing();
        assertThat(s.counter("dropped.rst_for_no_socket")).isEqualTo(2);
    }

    @Test
    void badChecksumsAndMalformedHeadersAreCountedAndNotAnswered() {
        byte[] good = s.seg(SYN).seq(1).build().encode(PEER, DUT);
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 0x40;
        s.deliver(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_TCP, PEER, DUT, bad));
        byte[] shortSegment = new byte[12];
        s.deliver(Ipv4Packet.of(2, 64, Ipv4Packet.PROTOCOL_TCP, PEER, DUT, shortSegment));
        // A structurally bad option (length 1) with a right checksum.
        byte[] badOption = new TcpSegment(40000, 80, 1, 0, SYN, 100, 0, new byte[] {8, 1, 0, 0}, new byte[0])
                .encode(PEER, DUT);
        s.deliver(Ipv4Packet.of(3, 64, Ipv4Packet.PROTOCOL_TCP, PEER, DUT, badOption));
        s.expectNothing();
        assertThat(s.counter("dropped.bad_checksum")).isEqualTo(1);
        assertThat(s.counter("dropped.malformed")).isEqualTo(2);
        assertThat(s.node.counters()).containsEntry("tcp.dropped.malformed", 2L);
    }

    @Test
    void segmentsToABroadcastAddressAreIgnored() {
        s.tcp.listen(Ipv4Address.ANY, 80, 4, TcpOptions.DEFAULT);
        Ipv4Address bcast = Ipv4Address.parse("10.0.0.255");
        byte[] syn = s.seg(SYN).seq(1).build().encode(PEER, bcast);
        s.deliver(Ipv4Packet.of(1, 64, Ipv4Packet.PROTOCOL_TCP, PEER, bcast, syn));
        s.expectNothing();
        assertThat(s.counter("dropped.broadcast_or_multicast")).isEqualTo(1);
    }

    @Test
    void icmpFragmentationNeededLowersTheMssAndResends() {
        EstablishedStateTest.Open o = new EstablishedStateTest.Open(s, TcpOptions.DEFAULT, false, 65535, 1460, -1);
        o.c.send(new byte[2920], 0, 2920);
        TcpSegment first = s.expect().len(1460).segment();
        s.expect().len(1460);
        Ipv4Packet quoted = new Ipv4Packet(0, 1, true, false, 0, 64, 6, DUT, PEER, new byte[0], first.encode(DUT, PEER));
        IcmpMessage tooBig = IcmpMessage.fragmentationNeeded(1000, IcmpMessage.quote(quoted.encode()));
        s.at(5).deliver(Ipv4Packet.of(7, 64, Ipv4Packet.PROTOCOL_ICMP, Ipv4Address.parse("10.0.0.254"), DUT, tooBig.encode()));
        // RFC 1191: the segments are sent again at MTU 1000 - 40 bytes of headers.
        s.expectAt(5).seq(o.snd(0)).len(960);
        assertThat(o.c.info().mss()).isEqualTo(960);
        assertThat(s.events("pmtu")).hasSize(1);
    }
}
