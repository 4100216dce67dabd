package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static dev.wirelab.netstack.tcp.TcpScript.DUT;
import static dev.wirelab.netstack.tcp.TcpScript.PEER;
import static dev.wirelab.netstack.tcp.TcpScript.RST;
import static dev.wirelab.netstack.tcp.TcpScript.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Active open: CLOSED -> SYN-SENT -> ESTABLISHED / SYN-RECEIVED / CLOSED (RFC 9293 section 3.10.7.3). */
class SynSentStateTest {

    final TcpScript s = new TcpScript();
    final List<String> callbacks = new ArrayList<>();

    TcpConnection connect() {
        TcpConnection c = s.tcp.connect(null, 0, PEER, 80, TcpOptions.DEFAULT);
        c.setListener(new TcpConnection.Listener() {
            @Override
            public void onEstablished() {
                callbacks.add("established");
            }

            @Override
            public void onClosed(TcpError error) {
                callbacks.add("closed " + error);
            }
        });
        return c;
    }

    @Test
    void synCarriesOptionsAndSynAckEstablishes() {
        TcpConnection c = connect();
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        TcpScript.Expect syn = s.expectAt(0).flags(SYN).ack(0).win(65535);
        TcpSegment seg = syn.segment();
        assertThat(seg.destinationPort()).isEqualTo(80);
        assertThat(seg.sourcePort()).isBetween(32768, 60999).isEqualTo(c.localPort());
        assertThat(c.localAddress()).isEqualTo(DUT);
        assertThat(seg.mss()).isEqualTo(1460);
        assertThat(seg.windowScale()).isEqualTo(7);
        assertThat(seg.timestamps().echoReply()).isZero();
        // Linux's layout without SACK: MSS, NOP, NOP, TS, NOP, WS (20 bytes).
        assertThat(seg.optionList()).extracting(TcpSegment.Option::kind).containsExactly(2, 1, 1, 8, 1, 3);
        assertThat(s.counter("active_opens")).isEqualTo(1);
        s.at(30).inject(s.seg(SYN | ACK).ports(80, c.localPort()).seq(9000).ack(syn.seq() + 1).mss(1200)
                .ts(5000, syn.tsVal()).wscale(4).win(1000));
        TcpScript.Expect ack = s.expectAt(30).flags(ACK).seq(syn.seq() + 1).ack(9001);
        assertThat(ack.segment().timestamps().echoReply()).isEqualTo(5000);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(callbacks).containsExactly("established");
        TcpInfo info = c.info();
        assertThat(info.peerMss()).isEqualTo(1200);
        assertThat(info.mss()).isEqualTo(1188);
        assertThat(info.sendWindow()).isEqualTo(1000); // the SYN,ACK's window is never scaled
        assertThat(info.sendWindowScale()).isEqualTo(4);
        assertThat(info.srttNanos()).isEqualTo(30_000_000L);
        s.judgeWithTshark("active-open");
    }

    @Test
    void dataOnTheSynAckIsDelivered() {
        TcpConnection c = connect();
        long iss = s.expect().seq();
        s.at(5).inject(s.seg(SYN | ACK).ports(80, c.localPort()).seq(9000).ack(iss + 1).data(20));
        s.expectAt(5).flags(ACK).ack(9021);
        assertThat(c.available()).isEqualTo(20);
    }

    @Test
    void synIsRetransmittedWithBackoffThenConnectTimesOut() {
        TcpConnection c = connect();
        long iss = s.expectAt(0).flags(SYN).seq();
        // tcp_syn_retries = 6, initial RTO 1 s doubling (RFC 6298 section 5.5): 1, 3, 7, 15, 31, 63 s.
        for (long t : new long[] {1000, 3000, 7000, 15000, 31000, 63000}) {
            s.expectAt(t).flags(SYN).seq(iss);
        }
        s.expectNothingUntil(126_999);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        s.at(127_000);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(callbacks).containsExactly("closed TIMED_OUT");
        assertThat(s.events("retransmit")).hasSize(6).allSatisfy(e -> assertThat(e.detail()).containsEntry("reason", "timeout"));
        assertThat(s.events("rto")).extracting(e -> e.detail().get("rto_ms"))
                .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 64000L);
        assertThat(s.tcp.connections()).isEmpty();
        assertThat(s.counter("attempt_fails")).isEqualTo(1);
    }

    @Test
    void resetWithAcceptableAckIsConnectionRefused() {
        TcpConnection c = connect();
        long iss = s.expect().seq();
        // RST without ACK in SYN-SENT: ignored.
        s.at(1).inject(s.seg(RST).ports(80, c.localPort()).seq(0));
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        s.at(2).inject(s.seg(RST | ACK).ports(80, c.localPort()).seq(0).ack(iss + 1));
        s.expectNothing();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.REFUSED);
        assertThat(callbacks).containsExactly("closed REFUSED");
        assertThatThrownBy(() -> c.send(new byte[1], 0, 1)).isInstanceOf(TcpException.class)
                .hasMessageStartingWith("ECONNREFUSED");
        assertThat(s.counter("resets_received")).isEqualTo(1);
    }

    @Test
    void anUnacceptableAckIsAnsweredWithReset() {
        TcpConnection c = connect();
        long iss = s.expect().seq();
        s.at(1).inject(s.seg(SYN | ACK).ports(80, c.localPort()).seq(500).ack(iss + 7));
        s.expect().flags(RST).seq(iss + 7);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        s.inject(s.seg(ACK).ports(80, c.localPort()).seq(500).ack(iss));
        s.expect().flags(RST).seq(iss);
        // A segment with neither SYN nor RST (and an acceptable ACK) is dropped.
        s.inject(s.seg(ACK).ports(80, c.localPort()).seq(500).ack(iss + 1));
        s.expectNothing();
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived() {
        TcpConnection c = s.tcp.connect(DUT, 5555, PEER, 6666, TcpOptions.DEFAULT);
        long iss = s.expect().flags(SYN).ports(5555, 6666).seq();
        // The peer's own SYN crosses ours: SYN-RECEIVED, answer SYN,ACK <SEQ=ISS><ACK=RCV.NXT>.
        s.at(10).inject(s.seg(SYN).ports(6666, 5555).seq(70000).mss(1400));
        s.expectAt(10).flags(SYN | ACK).seq(iss).ack(70001);
        assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        // Its SYN,ACK (acknowledging our SYN) completes the handshake.
        s.at(12).inject(s.seg(SYN | ACK).ports(6666, 5555).seq(70000).ack(iss + 1));
        // That SYN,ACK repeats the peer's SYN (an old sequence number): RFC 9293 answers with an ACK.
        s.expectAt(12).flags(ACK).seq(iss + 1).ack(70001);
        assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        s.at(13).inject(s.seg(ACK).ports(6666, 5555).seq(70001).ack(iss + 1));
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(s.events("state")).extracting(e -> e.detail().get("to"))
                .containsExactly("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED");
        c.send(new byte[] {1, 2, 3}, 0, 3);
        s.expect().flags(ACK | TcpScript.PSH).seq(iss + 1).ack(70001).len(3);
    }

    @Test
    void icmpPortUnreachableRefusesTheConnect() {
        TcpConnection c = connect();
        s.expect();
        Ipv4Packet ourSyn = new Ipv4Packet(0, 1, true, false, 0, 64, 6, DUT, PEER, new byte[0],
                s.sent().get(0).segment().encode(DUT, PEER));
        IcmpMessage err = IcmpMessage.destinationUnreachable(IcmpMessage.PORT_UNREACHABLE, IcmpMessage.quote(ourSyn.encode()));
        s.at(5).deliver(Ipv4Packet.of(9, 64, Ipv4Packet.PROTOCOL_ICMP, PEER, DUT, err.encode()));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.REFUSED);
    }

    @Test
    void icmpHostUnreachableAbortsWithEhostunreach() {
        TcpConnection c = connect();
        s.expect();
        Ipv4Packet ourSyn = new Ipv4Packet(0, 1, true, false, 0, 64, 6, DUT, PEER, new byte[0],
                s.sent().get(0).segment().encode(DUT, PEER));
        IcmpMessage err = IcmpMessage.destinationUnreachable(IcmpMessage.HOST_UNREACHABLE, IcmpMessage.quote(ourSyn.encode()));
        s.at(5).deliver(Ipv4Packet.of(9, 64, Ipv4Packet.PROTOCOL_ICMP, PEER, DUT, err.encode()));
        assertThat(c.error()).isEqualTo(TcpError.HOST_UNREACHABLE);
        assertThat(c.error().errno()).isEqualTo("EHOSTUNREACH");
    }

    @Test
    void ephemeralPortsComeFromTheConfiguredRangeAndDiffer() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withEphemeralRange(40000, 40003));
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ports.add(t.tcp.connect(null, 0, PEER, 80, TcpOptions.DEFAULT).localPort());
        }
        assertThat(ports).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isBetween(40000, 40003));
        assertThatThrownBy(() -> t.tcp.connect(null, 0, PEER, 80, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class).hasMessageStartingWith("EADDRNOTAVAIL");
        // Another destination may reuse the same local ports (the 4-tuple differs).
        assertThat(t.tcp.connect(null, 0, PEER, 81, TcpOptions.DEFAULT).localPort()).isBetween(40000, 40003);
    }

    @Test
    void connectWithoutARouteFailsAtOnce() {
        assertThatThrownBy(() -> s.tcp.connect(null, 0, Ipv4Address.parse("192.0.2.1"), 80, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class).hasMessageStartingWith("ENETUNREACH");
        assertThatThrownBy(() -> s.tcp.connect(null, 0, Ipv4Address.BROADCAST, 80, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class);
        assertThatThrownBy(() -> s.tcp.connect(null, 0, PEER, 0, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class).hasMessageStartingWith("EINVAL");
    }

    @Test
    void initialSequenceNumbersFollowRfc6528() {
        // ISN = M + F(4-tuple, secret): same tuple 1 s later moves by 250000 (4 us ticks); other tuples differ.
        TcpScript a = new TcpScript();
        a.tcp.connect(DUT, 1111, PEER, 80, TcpOptions.DEFAULT);
        long first = a.expect().seq();
        a.sent().clear();
        TcpScript b = new TcpScript();
        b.at(1000);
        b.tcp.connect(DUT, 1111, PEER, 80, TcpOptions.DEFAULT);
        assertThat(b.expect().seq()).isEqualTo((first + 250_000) & 0xFFFFFFFFL);
        TcpScript c = new TcpScript();
        c.tcp.connect(DUT, 1112, PEER, 80, TcpOptions.DEFAULT);
        assertThat(c.expect().seq()).isNotEqualTo(first);
        TcpScript d = new TcpScript(TcpConfig.defaults().withSecretSeed(42));
        d.tcp.connect(DUT, 1111, PEER, 80, TcpOptions.DEFAULT);
        assertThat(d.expect().seq()).isNotEqualTo(first);
    }
}
