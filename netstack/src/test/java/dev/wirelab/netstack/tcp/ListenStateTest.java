package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static dev.wirelab.netstack.tcp.TcpScript.DUT;
import static dev.wirelab.netstack.tcp.TcpScript.RST;
import static dev.wirelab.netstack.tcp.TcpScript.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.TcpSegment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** LISTEN and SYN-RECEIVED (RFC 9293 section 3.10.7.2), the two queues (Linux semantics), SYN cookies. */
class ListenStateTest {

    @Nested
    class PassiveOpen {
        final TcpScript s = new TcpScript();
        final TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 16, TcpOptions.DEFAULT);

        @Test
        void synGetsSynAckWithOptionsThenAckEstablishes() {
            s.at(5).inject(s.seg(SYN).seq(1000).mss(1460).ts(777, 0).wscale(2).win(29200));
            TcpScript.Expect synAck = s.expectAt(5).flags(SYN | ACK).ack(1001).win(65535);
            TcpSegment seg = synAck.segment();
            // MSS = interface MTU 1500 - 40; timestamps echo the SYN's; window scale from a 6 MB buffer.
            assertThat(seg.mss()).isEqualTo(1460);
            assertThat(seg.timestamps().echoReply()).isEqualTo(777);
            assertThat(seg.windowScale()).isEqualTo(7);
            assertThat(l.synQueueLength()).isEqualTo(1);
            assertThat(l.acceptQueueLength()).isZero();
            assertThat(l.accept()).isNull();
            int[] acceptable = {0};
            l.setListener(() -> acceptable[0]++);
            s.at(6).inject(s.seg(ACK).seq(1001).ack(synAck.seq() + 1).ts(778, synAck.tsVal()).win(1000));
            s.expectNothing();
            assertThat(acceptable[0]).isEqualTo(1);
            assertThat(l.synQueueLength()).isZero();
            assertThat(l.acceptQueueLength()).isEqualTo(1);
            TcpConnection c = l.accept();
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.remoteAddress()).isEqualTo(TcpScript.PEER);
            assertThat(c.remotePort()).isEqualTo(40000);
            assertThat(c.localAddress()).isEqualTo(DUT);
            TcpInfo info = c.info();
            assertThat(info.sendWindow()).isEqualTo(4000); // 1000 << 2
            assertThat(info.mss()).isEqualTo(1460 - 12);
            assertThat(info.timestamps()).isTrue();
            assertThat(info.srttNanos()).isEqualTo(1_000_000L); // the SYN,ACK's echo came back 1 ms later
            assertThat(s.events("state")).extracting(e -> e.detail().get("to"))
                    .containsExactly("LISTEN", "SYN_RECEIVED", "ESTABLISHED");
            assertThat(s.counter("passive_opens")).isEqualTo(1);
        }

        @Test
        void synAckIsRetransmittedWithBackoffThenTheHalfOpenConnectionIsDropped() {
            s.at(0).inject(s.seg(SYN).seq(1000));
            long iss = s.expectAt(0).flags(SYN | ACK).seq();
            // tcp_synack_retries = 5: 1 s, 2 s, 4 s, 8 s, 16 s apart, then 32 s more and it is gone.
            for (long t : new long[] {1000, 3000, 7000, 15000, 31000}) {
                s.expectAt(t).flags(SYN | ACK).seq(iss).ack(1001);
            }
            s.expectNothingUntil(62_999);
            assertThat(l.synQueueLength()).isEqualTo(1);
            s.expectNothingUntil(63_000);
            assertThat(l.synQueueLength()).isZero();
            assertThat(s.tcp.connections()).isEmpty();
            assertThat(s.counter("dropped.syn_received_timeout")).isEqualTo(1);
            // The peer's late ACK finds nothing: RST <SEQ=SEG.ACK>.
            s.inject(s.seg(ACK).seq(1001).ack(iss + 1));
            s.expect().flags(RST).seq(iss + 1);
        }

        @Test
        void aRetransmittedSynIsAnsweredAgain() {
            s.at(0).inject(s.seg(SYN).seq(1000));
            long iss = s.expectAt(0).flags(SYN | ACK).seq();
            s.at(300).inject(s.seg(SYN).seq(1000));
            s.expectAt(300).flags(SYN | ACK).seq(iss).ack(1001);
            assertThat(l.synQueueLength()).isEqualTo(1);
        }

        @Test
        void resetInSynReceivedReturnsToListenQuietly() {
            s.at(0).inject(s.seg(SYN).seq(1000));
            s.expect().flags(SYN | ACK);
            s.at(10).inject(s.seg(RST).seq(1001));
            s.expectNothingUntil(5000);
            assertThat(l.synQueueLength()).isZero();
            assertThat(s.tcp.connections()).isEmpty();
        }

        @Test
        void badAckInSynReceivedIsAnsweredWithReset() {
            s.at(0).inject(s.seg(SYN).seq(1000));
            long iss = s.expect().flags(SYN | ACK).seq();
            s.at(1).inject(s.seg(ACK).seq(1001).ack(iss + 5));
            s.expect().flags(RST).seq(iss + 5);
            assertThat(l.synQueueLength()).isEqualTo(1);
            s.inject(s.seg(ACK).seq(1001).ack(iss + 1));
            assertThat(l.acceptQueueLength()).isEqualTo(1);
        }

        @Test
        void ackOrRstToAListenerWithoutSyn() {
            s.at(0).inject(s.seg(ACK).seq(5).ack(12345));
            s.expect().flags(RST).seq(12345);
            s.inject(s.seg(RST).seq(5));
            s.inject(s.seg(0).seq(5).data(3));
            s.expectNothing();
            assertThat(s.counter("dropped.rst_to_listener")).isEqualTo(1);
            assertThat(s.counter("dropped.listen_no_syn")).isEqualTo(1);
        }

        @Test
        void closingTheListenerResetsQueuedConnections() {
            s.at(0).inject(s.seg(SYN).seq(1000));
            long iss = s.expect().seq();
            s.inject(s.seg(ACK).seq(1001).ack(iss + 1));
            s.inject(s.seg(SYN).seq(7000).ports(40001, 80));
            s.expect().flags(SYN | ACK);
            l.close();
            List<TcpSegment> resets = List.of(s.expect().flags(RST).segment(), s.expect().flags(RST).segment());
            assertThat(resets).extracting(TcpSegment::destinationPort).containsExactlyInAnyOrder(40000, 40001);
            assertThat(s.tcp.connections()).isEmpty();
            assertThat(s.tcp.listeners()).isEmpty();
            s.inject(s.seg(SYN).seq(9000));
            s.expect().flags(RST | ACK).seq(0).ack(9001);
        }
    }

    @Nested
    class Queues {

        @Test
        void acceptQueueHoldsBacklogPlusOneThenFinalAcksAreDroppedAndSynAcksRetransmitted() {
            TcpScript s = new TcpScript(TcpConfig.defaults().withSyncookies(0));
            TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 2, TcpOptions.DEFAULT);
            for (int i = 0; i < 3; i++) {
                s.at(i).inject(s.seg(SYN).seq(1000L * (i + 1)).ports(40000 + i, 80));
                long iss = s.expect().flags(SYN | ACK).seq();
                s.inject(s.seg(ACK).seq(1000L * (i + 1) + 1).ack(iss + 1).ports(40000 + i, 80));
            }
            // Linux sk_acceptq_is_full is "ack_backlog > max_ack_backlog": backlog 2 holds three.
            assertThat(l.acceptQueueLength()).isEqualTo(3);
            // A new SYN while the accept queue is full: dropped, no SYN,ACK.
            s.at(10).inject(s.seg(SYN).seq(3000).ports(40009, 80));
            s.expectNothing();
            assertThat(s.counter("dropped.accept_queue_full")).isEqualTo(1);
            // One accept() makes room for SYNs; the first final ACK fills the queue again.
            assertThat(l.accept()).isNotNull();
            s.at(20).inject(s.seg(SYN).seq(3000).ports(40003, 80));
            long issA = s.expect().flags(SYN | ACK).seq();
            s.at(21).inject(s.seg(SYN).seq(4000).ports(40004, 80));
            long issB = s.expect().flags(SYN | ACK).seq();
            assertThat(l.synQueueLength()).isEqualTo(2);
            s.at(22).inject(s.seg(ACK).seq(3001).ack(issA + 1).ports(40003, 80));
            assertThat(l.acceptQueueLength()).isEqualTo(3);
            s.inject(s.seg(ACK).seq(4001).ack(issB + 1).ports(40004, 80));
            // Full: the final ACK is dropped, the connection stays in SYN-RECEIVED ...
            s.expectNothing();
            assertThat(l.acceptQueueLength()).isEqualTo(3);
            assertThat(l.synQueueLength()).isEqualTo(1);
            TcpConnection waiting = s.tcp.connections().stream().filter(c -> c.remotePort() == 40004).findFirst()
                    .orElseThrow();
            assertThat(waiting.state()).isEqualTo(TcpState.SYN_RECEIVED);
            // ... and its SYN,ACK timer goes on: retransmitted 1 s after it was first sent.
            s.expectAt(1021).flags(SYN | ACK).seq(issB).ports(80, 40004);
            // The application accepts; the peer's ACK (answering the retransmission) now completes it.
            assertThat(l.accept()).isNotNull();
            s.at(1022).inject(s.seg(ACK).seq(4001).ack(issB + 1).ports(40004, 80));
            assertThat(waiting.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(l.acceptQueueLength()).isEqualTo(3);
            List<TraceEvent> queue = s.events(e -> e.kind().equals("queue") && e.detail().containsKey("syn_queue"));
            assertThat(queue.get(queue.size() - 1).detail()).containsEntry("accept_queue", 3).containsEntry("syn_queue", 0)
                    .containsEntry("backlog", 2);
            assertThat(s.counter("listen_overflows")).isEqualTo(2);
        }

        @Test
        void withoutCookiesAFullSynQueueDropsNewSyns() {
            TcpScript s = new TcpScript(TcpConfig.defaults().withSyncookies(0));
            TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 2, TcpOptions.DEFAULT);
            for (int i = 0; i < 2; i++) {
                s.at(i).inject(s.seg(SYN).seq(100 + i).ports(50000 + i, 80));
                s.expect().flags(SYN | ACK);
            }
            assertThat(l.synQueueLength()).isEqualTo(2);
            s.at(5).inject(s.seg(SYN).seq(999).ports(50009, 80));
            s.expectNothing();
            assertThat(l.synQueueLength()).isEqualTo(2);
            assertThat(s.counter("dropped.syn_queue_full")).isEqualTo(1);
            assertThat(s.events("drop")).anySatisfy(e -> assertThat(e.detail()).containsEntry("reason", "syn_queue_full")
                    .containsEntry("syn_queue", 2).containsEntry("backlog", 2));
        }

        @Test
        void backlogIsCappedBySomaxconn() {
            TcpScript s = new TcpScript();
            assertThat(s.tcp.listen(Ipv4Address.ANY, 80, 100_000, TcpOptions.DEFAULT).backlog()).isEqualTo(4096);
            assertThat(s.tcp.listen(Ipv4Address.ANY, 81, -1, TcpOptions.DEFAULT).backlog()).isEqualTo(4096);
            assertThat(s.tcp.listen(Ipv4Address.ANY, 82, 0, TcpOptions.DEFAULT).backlog()).isZero();
        }
    }

    @Nested
    class SynCookiesOnOverflow {
        final TcpScript s = new TcpScript(TcpConfig.defaults().withSyncookies(1));
        final TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 1, TcpOptions.DEFAULT);

        @Test
        void aFullSynQueueAnswersWithACookieAndKeepsNoState() {
            s.at(0).inject(s.seg(SYN).seq(100).ports(50000, 80));
            s.expect().flags(SYN | ACK);
            assertThat(l.synQueueLength()).isEqualTo(1);
            s.at(1).inject(s.seg(SYN).seq(5000).ports(50001, 80).mss(1460).ts(40, 0).wscale(3));
            TcpScript.Expect cookie = s.expect().flags(SYN | ACK).ack(5001);
            assertThat(cookie.segment().mss()).isEqualTo(1460);
            assertThat(cookie.segment().windowScale()).isEqualTo(7);
            assertThat(l.synQueueLength()).isEqualTo(1);
            assertThat(s.tcp.connections()).hasSize(1);
            assertThat(s.counter("syncookies_sent")).isEqualTo(1);
            // No SYN,ACK retransmission for a cookie: there is no state.
            s.expectAt(1000).ports(80, 50000); // only the queued connection's retransmission
            s.expectNothingUntil(2500);
            // The final ACK with the cookie creates the connection, established, in the accept queue.
            s.at(2600).inject(s.seg(ACK).seq(5001).ack(cookie.seq() + 1).ports(50001, 80).ts(41, cookie.tsVal())
                    .win(100).data(10));
            assertThat(l.acceptQueueLength()).isEqualTo(1);
            assertThat(s.counter("syncookies_validated")).isEqualTo(1);
            TcpConnection c = l.accept();
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.remotePort()).isEqualTo(50001);
            assertThat(c.available()).isEqualTo(10); // the data riding on the ACK was kept
            TcpInfo info = c.info();
            assertThat(info.peerMss()).isEqualTo(1460);
            assertThat(info.sendWindowScale()).isEqualTo(3); // recovered from the echoed timestamp
            assertThat(info.sendWindow()).isEqualTo(800);
            assertThat(info.timestamps()).isTrue();
            assertThat(s.events("syncookie_validated")).hasSize(1);
            s.judgeWithTshark("syn-cookie");
        }

        @Test
        void theCookieEncodesOneOfFourMssValues() {
            s.at(0).inject(s.seg(SYN).seq(100).ports(50000, 80));
            s.expect();
            Map<Integer, Integer> expected = Map.of(1460, 1460, 1400, 1300, 1000, 536, 9000, 1460);
            Map<Integer, Integer> got = new HashMap<>();
            int port = 51000;
            for (int mss : expected.keySet()) {
                port++;
                s.inject(s.seg(SYN).seq(7000).ports(port, 80).mss(mss));
                long isn = s.expect().flags(SYN | ACK).seq();
                s.inject(s.seg(ACK).seq(7001).ack(isn + 1).ports(port, 80));
                TcpConnection c = l.accept();
                assertThat(c).as("connection for MSS %d", mss).isNotNull();
                got.put(mss, c.info().peerMss());
            }
            assertThat(got).isEqualTo(expected);
        }

        @Test
        void aForgedOrStaleCookieIsReset() {
            s.at(0).inject(s.seg(SYN).seq(100).ports(50000, 80));
            s.expect();
            s.inject(s.seg(SYN).seq(5000).ports(50001, 80));
            long cookie = s.expect().seq();
            // (As on Linux, an ACK off by less than the four MSS slots would pass: the forgery is further off.)
            s.inject(s.seg(ACK).seq(5001).ack(cookie + 1001).ports(50001, 80));
            s.expect().flags(RST).seq(cookie + 1001);
            assertThat(s.counter("syncookies_failed")).isEqualTo(1);
            // Two minutes later (the half-open connection is long gone) the queue overflows again,
            // and the old cookie has expired.
            s.at(125_000).inject(s.seg(SYN).seq(9).ports(50010, 80));
            s.inject(s.seg(SYN).seq(9).ports(50011, 80));
            s.inject(s.seg(ACK).seq(5001).ack(cookie + 1).ports(50001, 80));
            assertThat(l.acceptQueueLength()).isZero();
            assertThat(s.counter("syncookies_failed")).isEqualTo(2);
            assertThat(s.sent()).last().satisfies(x -> assertThat(x.segment().flags()).isEqualTo(RST));
        }
    }

    @Test
    void syncookiesTwoAlwaysSendsCookies() {
        TcpScript s = new TcpScript(TcpConfig.defaults().withSyncookies(2));
        TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 10, TcpOptions.DEFAULT);
        s.at(0).inject(s.seg(SYN).seq(5000).mss(1300));
        long cookie = s.expect().flags(SYN | ACK).seq();
        assertThat(l.synQueueLength()).isZero();
        s.inject(s.seg(ACK).seq(5001).ack(cookie + 1));
        assertThat(l.accept().info().peerMss()).isEqualTo(1300);
    }

    @Nested
    class ReusePort {

        @Test
        void listenersWithSoReusePortShareTheLoadByHash() {
            TcpScript s = new TcpScript();
            TcpOptions rp = TcpOptions.DEFAULT.withReusePort(true);
            List<TcpListener> group = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                group.add(s.tcp.listen(Ipv4Address.ANY, 80, 128, rp));
            }
            for (int p = 0; p < 60; p++) {
                s.at(p).inject(s.seg(SYN).seq(1000).ports(20000 + p, 80));
                long iss = s.expect().flags(SYN | ACK).seq();
                s.inject(s.seg(ACK).seq(1001).ack(iss + 1).ports(20000 + p, 80));
            }
            int total = 0;
            for (TcpListener l : group) {
                assertThat(l.acceptQueueLength()).as("each listener gets some").isGreaterThan(5);
                total += l.acceptQueueLength();
            }
            assertThat(total).isEqualTo(60);
            // The same 4-tuple always lands on the same listener (the hash is of the 4-tuple).
            TcpScript s2 = new TcpScript();
            List<TcpListener> g2 = List.of(s2.tcp.listen(Ipv4Address.ANY, 80, 128, rp), s2.tcp.listen(Ipv4Address.ANY, 80, 128, rp));
            s2.inject(s2.seg(SYN).seq(1).ports(20000, 80));
            s2.expect();
            int first = g2.get(0).synQueueLength();
            s2.inject(s2.seg(RST).seq(2).ports(20000, 80));
            s2.inject(s2.seg(SYN).seq(1).ports(20000, 80));
            s2.expect();
            assertThat(g2.get(0).synQueueLength()).isEqualTo(first);
        }

        @Test
        void withoutSoReusePortTheSecondListenFails() {
            TcpScript s = new TcpScript();
            s.tcp.listen(Ipv4Address.ANY, 80, 128, TcpOptions.DEFAULT.withReusePort(true));
            assertThatThrownBy(() -> s.tcp.listen(Ipv4Address.ANY, 80, 128, TcpOptions.DEFAULT))
                    .isInstanceOf(TcpException.class).hasMessageStartingWith("EADDRINUSE")
                    .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE));
            assertThatThrownBy(() -> s.tcp.listen(DUT, 80, 128, TcpOptions.DEFAULT))
                    .isInstanceOf(TcpException.class);
            assertThatThrownBy(() -> s.tcp.listen(Ipv4Address.parse("10.9.9.9"), 81, 1, TcpOptions.DEFAULT))
                    .isInstanceOf(TcpException.class).hasMessageStartingWith("EADDRNOTAVAIL");
        }

        @Test
        void anExactAddressListenerWinsOverTheWildcard() {
            TcpScript s = new TcpScript();
            TcpOptions rp = TcpOptions.DEFAULT.withReusePort(true);
            TcpListener any = s.tcp.listen(Ipv4Address.ANY, 80, 8, rp);
            TcpListener exact = s.tcp.listen(DUT, 80, 8, rp);
            s.inject(s.seg(SYN).seq(1));
            s.expect();
            assertThat(exact.synQueueLength()).isEqualTo(1);
            assertThat(any.synQueueLength()).isZero();
        }
    }
}
