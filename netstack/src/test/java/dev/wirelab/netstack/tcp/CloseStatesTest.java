package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static dev.wirelab.netstack.tcp.TcpScript.FIN;
import static dev.wirelab.netstack.tcp.TcpScript.RST;
import static dev.wirelab.netstack.tcp.TcpScript.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.tcp.EstablishedStateTest.Open;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closing: FIN-WAIT-1, FIN-WAIT-2, CLOSING, TIME-WAIT, CLOSE-WAIT, LAST-ACK (RFC 9293 sections
 * 3.6, 3.10.4, 3.10.7.4), half-close, reset on close, TIME-WAIT expiry and reopening. MSL is 1 s
 * here, so TIME-WAIT lasts 2 s.
 */
class CloseStatesTest {

    final TcpScript s = new TcpScript(TcpConfig.defaults().withMsl(1_000 * TcpScript.MS).withFinTimeout(5_000 * TcpScript.MS));
    final Open o = new Open(s);

    private List<Object> states() {
        return s.events("state").stream().filter(e -> "10.0.0.2:40000".equals(e.detail().get("remote")))
                .map(e -> e.detail().get("to")).toList();
    }

    @Test
    void activeCloseGoesThroughFinWait1FinWait2AndTimeWait() {
        s.at(10);
        o.c.close();
        assertThat(o.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        s.expectAt(10).flags(FIN | ACK).seq(o.snd(0)).ack(Open.rcv(0));
        s.at(20).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        s.at(30).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expectAt(30).flags(ACK).seq(o.snd(1)).ack(Open.rcv(1));
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(o.callbacks).contains("closed null");
        assertThat(s.tcp.connections()).containsExactly(o.c);
        s.expectNothingUntil(2029);
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT);
        s.at(2030);
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.tcp.connections()).isEmpty();
        assertThat(states()).containsExactly("SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED");
        s.judgeWithTshark("active-close");
    }

    @Test
    void passiveCloseGoesThroughCloseWaitAndLastAck() {
        s.at(10).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(0)));
        s.expectAt(10).flags(ACK).ack(Open.rcv(1)); // the FIN is acknowledged at once
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(o.callbacks).contains("readable");
        assertThat(o.c.receive(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(o.c.endOfStream()).isTrue();
        // Half-closed: we may still send.
        assertThat(o.c.send(new byte[] {1, 2, 3}, 0, 3)).isEqualTo(3);
        s.expect().len(3).seq(o.snd(0));
        s.at(20);
        o.c.close();
        s.expectAt(20).flags(FIN | ACK).seq(o.snd(3)).ack(Open.rcv(1));
        assertThat(o.c.state()).isEqualTo(TcpState.LAST_ACK);
        s.at(30).inject(o.peer(ACK).seq(Open.rcv(1)).ack(o.snd(4)));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(o.c.error()).isNull();
        assertThat(s.tcp.connections()).isEmpty();
        assertThat(states()).containsExactly("SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED");
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        s.at(10);
        o.c.close();
        s.expectAt(10).flags(FIN | ACK).seq(o.snd(0));
        // The peer's FIN crosses ours (it does not acknowledge our FIN yet).
        s.at(11).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(0)));
        s.expectAt(11).flags(ACK).seq(o.snd(1)).ack(Open.rcv(1));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSING);
        s.at(12).inject(o.peer(ACK).seq(Open.rcv(1)).ack(o.snd(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT);
        s.at(2012);
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(states()).containsExactly("SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "CLOSING", "TIME_WAIT", "CLOSED");
    }

    @Test
    void aFinThatAlsoAcksOurFinGoesStraightToTimeWait() {
        o.c.close();
        s.expect().flags(FIN | ACK);
        s.at(5).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expectAt(5).flags(ACK).ack(Open.rcv(1));
        assertThat(states()).containsExactly("SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT");
    }

    @Test
    void timeWaitAcksARetransmittedFinAndRestartsItsTimer() {
        o.c.close();
        s.expect();
        s.at(5).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expect();
        s.at(1000).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expectAt(1000).flags(ACK).seq(o.snd(1)).ack(Open.rcv(1));
        s.at(2500);
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT); // would have ended at 2005 without the restart
        s.at(3000);
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void aNewSynReopensATimeWaitConnectionAboveTheOldSequenceSpace() {
        o.c.close();
        s.expect();
        s.at(5).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expect();
        // An old duplicate SYN (not above RCV.NXT) only gets an ACK.
        s.at(10).inject(s.seg(SYN).seq(Open.rcv(0)));
        s.expectAt(10).flags(ACK).ack(Open.rcv(1));
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT);
        // A new SYN above it starts a new incarnation (RFC 9293 section 3.10.7.4, RFC 6191).
        s.at(20).inject(s.seg(SYN).seq(Open.rcv(500_000)));
        TcpScript.Expect synAck = s.expectAt(20).flags(SYN | ACK).ack(Open.rcv(500_001));
        assertThat(synAck.seq()).isEqualTo((o.snd(1) + 65535 + 2) & 0xFFFFFFFFL);
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.tcp.connections()).hasSize(1).allSatisfy(c -> assertThat(c.state()).isEqualTo(TcpState.SYN_RECEIVED));
        assertThat(s.counter("time_wait_reopens")).isEqualTo(1);
    }

    @Test
    void aResetEndsTimeWait() {
        o.c.close();
        s.expect();
        s.at(5).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expect();
        s.at(6).inject(s.seg(RST).seq(Open.rcv(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.tcp.connections()).isEmpty();
    }

    @Test
    void anUnansweredFinIsRetransmitted() {
        s.at(10);
        o.c.close();
        s.expectAt(10).flags(FIN | ACK).seq(o.snd(0));
        s.expectAt(210).flags(FIN | ACK).seq(o.snd(0));
        s.expectAt(610).flags(FIN | ACK).seq(o.snd(0));
        assertThat(s.events("retransmit")).allSatisfy(e -> assertThat(e.detail()).containsEntry("len", 1));
    }

    @Test
    void halfCloseStillReceivesUntilThePeersFin() {
        s.at(10);
        o.c.shutdownOutput();
        s.expectAt(10).flags(FIN | ACK).seq(o.snd(0));
        assertThatThrownBy(() -> o.c.send(new byte[1], 0, 1)).isInstanceOf(TcpException.class)
                .hasMessageStartingWith("EPIPE");
        s.at(20).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        s.at(30).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)).data(100));
        assertThat(o.c.available()).isEqualTo(100);
        s.expectAt(70).flags(ACK).ack(Open.rcv(100));
        s.at(80).inject(o.peer(FIN | ACK).seq(Open.rcv(100)).ack(o.snd(1)));
        s.expectAt(80).flags(ACK).ack(Open.rcv(101));
        assertThat(o.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(o.read()).hasSize(100);
        assertThat(o.c.receive(new byte[1], 0, 1)).isEqualTo(-1);
    }

    @Test
    void closeWithUnreadDataResets() {
        s.at(10).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(10));
        s.at(20);
        o.c.close();
        s.expectAt(20).flags(RST).seq(o.snd(0));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.counter("resets_on_close_with_unread_data")).isEqualTo(1);
        assertThat(s.tcp.connections()).isEmpty();
    }

    @Test
    void dataForAClosedApplicationResets() {
        o.c.close();
        s.expect().flags(FIN | ACK);
        s.at(5).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        s.at(6).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)).data(10));
        s.expectAt(6).flags(RST).seq(o.snd(1));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void anOrphanedFinWait2TimesOut() {
        o.c.close();
        s.expect();
        s.at(5).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1)));
        s.expectNothingUntil(5004);
        assertThat(o.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        s.at(5005);
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.events("fin_wait_2_timeout")).hasSize(1);
    }

    @Test
    void abortSendsAResetAtSndNxt() {
        o.c.send(new byte[5], 0, 5);
        s.expect().len(5);
        o.c.abort();
        s.expect().flags(RST).seq(o.snd(5));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(o.c.error()).isNull();
        assertThat(o.callbacks).contains("closed null");
        assertThat(s.counter("resets_sent")).isEqualTo(1);
    }

    @Test
    void aResetInCloseWaitReportsConnectionReset() {
        s.at(10).inject(o.peer(FIN | ACK).seq(Open.rcv(0)).ack(o.snd(0)));
        s.expect();
        s.at(11).inject(o.peer(RST).seq(Open.rcv(1)));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(o.c.error()).isEqualTo(TcpError.RESET);
    }

    @Test
    void listeningOverTimeWaitNeedsSoReuseAddr() {
        TcpScript t = new TcpScript(TcpConfig.defaults().withMsl(1_000 * TcpScript.MS));
        TcpListener first = t.tcp.listen(Ipv4Address.ANY, 8080, 4, TcpOptions.DEFAULT.withReuseAddress(true));
        t.inject(t.seg(SYN).seq(100).ports(40000, 8080));
        long iss = t.expect().seq();
        t.inject(t.seg(ACK).seq(101).ack(iss + 1).ports(40000, 8080));
        TcpConnection c = first.accept();
        c.close();
        t.expect().flags(FIN | ACK);
        t.inject(t.seg(FIN | ACK).seq(101).ack(iss + 2).ports(40000, 8080));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        first.close();
        // The old server's TIME-WAIT connection still holds port 8080.
        assertThatThrownBy(() -> t.tcp.listen(Ipv4Address.ANY, 8080, 4, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class).hasMessageStartingWith("EADDRINUSE");
        TcpListener again = t.tcp.listen(Ipv4Address.ANY, 8080, 4, TcpOptions.DEFAULT.withReuseAddress(true));
        assertThat(again.localPort()).isEqualTo(8080);
        // A second listener is refused even with SO_REUSEADDR (it is listening).
        assertThatThrownBy(() -> t.tcp.listen(Ipv4Address.ANY, 8080, 4, TcpOptions.DEFAULT.withReuseAddress(true)))
                .isInstanceOf(TcpException.class);
        // connect() from a port a listener holds is refused too.
        assertThatThrownBy(() -> t.tcp.connect(null, 8080, TcpScript.PEER, 9, TcpOptions.DEFAULT))
                .isInstanceOf(TcpException.class).hasMessageStartingWith("EADDRINUSE");
    }
}
