package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static dev.wirelab.netstack.tcp.TcpScript.PSH;
import static dev.wirelab.netstack.tcp.TcpScript.RST;
import static dev.wirelab.netstack.tcp.TcpScript.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ESTABLISHED: receiving (delayed ACK, reassembly, flow control), sending (segmentation, Nagle,
 * retransmission timer, fast retransmit and NewReno, persist timer), RFC 5961 checks, PAWS,
 * keep-alive.
 */
class EstablishedStateTest {

    /** A passive open from the peer (10.0.0.2:40000, ISN 1000) to port 80, done at t=0. */
    static final class Open {
        final TcpScript s;
        final TcpConnection c;
        final long iss;
        final boolean ts;
        long peerTs = 100;
        long dutTs;
        final List<String> callbacks = new ArrayList<>();

        Open(TcpScript s, TcpOptions opts, boolean ts, int window, int mss, int wscale) {
            this.s = s;
            this.ts = ts;
            TcpListener l = s.tcp.listen(Ipv4Address.ANY, 80, 16, opts);
            TcpScript.Seg syn = s.seg(SYN).seq(1000).win(window).mss(mss);
            if (ts) {
                syn.ts(peerTs, 0);
            }
            if (wscale >= 0) {
                syn.wscale(wscale);
            }
            s.inject(syn);
            TcpScript.Expect sa = s.expect().flags(SYN | ACK);
            iss = sa.seq();
            if (ts) {
                dutTs = sa.tsVal();
            }
            s.inject(peer(ACK).seq(1001).ack(iss + 1).win(window));
            c = l.accept();
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            c.setListener(new TcpConnection.Listener() {
                @Override
                public void onReadable() {
                    callbacks.add("readable");
                }

                @Override
                public void onWritable() {
                    callbacks.add("writable");
                }

                @Override
                public void onClosed(TcpError error) {
                    callbacks.add("closed " + error);
                }
            });
        }

        Open(TcpScript s) {
            this(s, TcpOptions.DEFAULT, false, 65535, 1000, -1);
        }

        /** A segment from the peer, with a fresh timestamp when they were negotiated. */
        TcpScript.Seg peer(int flags) {
            TcpScript.Seg g = s.seg(flags);
            if (ts) {
                g.ts(peerTs++, dutTs);
            }
            return g;
        }

        /** Our sequence number {@code n} bytes into the stream. */
        long snd(long n) {
            return iss + 1 + n;
        }

        static long rcv(long n) {
            return 1001 + n;
        }

        byte[] read() {
            byte[] b = new byte[1 << 20];
            int n = c.receive(b, 0, b.length);
            return n <= 0 ? new byte[0] : Arrays.copyOf(b, n);
        }
    }

    static byte[] bytes(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + salt);
        }
        return b;
    }

    @Nested
    class Receiving {
        final TcpScript s = new TcpScript();
        final Open o = new Open(s);

        @Test
        void aLoneSegmentIsAckedAfterTheDelayedAckTimeout() {
            s.at(10).inject(o.peer(ACK | PSH).seq(Open.rcv(0)).ack(o.snd(0)).data(100));
            s.expectNothingUntil(49);
            s.expectAt(50).flags(ACK).seq(o.snd(0)).ack(Open.rcv(100));
            assertThat(o.c.available()).isEqualTo(100);
            assertThat(o.callbacks).contains("readable");
            assertThat(s.events("delayed_ack")).hasSize(1);
        }

        @Test
        void everySecondFullSegmentIsAckedAtOnce() {
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(1460));
            s.expectNothing();
            s.at(11).inject(o.peer(ACK).seq(Open.rcv(1460)).ack(o.snd(0)).data(1460));
            s.expectAt(11).flags(ACK).ack(Open.rcv(2920));
            s.expectNothingUntil(500);
        }

        @Test
        void outOfOrderSegmentsAreHeldAndDuplicateAcked() {
            byte[] stream = bytes(3000, 3);
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(1000)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 1000, 2000)));
            s.expectAt(10).flags(ACK).ack(Open.rcv(0)); // immediate duplicate ACK (RFC 5681 section 4.2)
            s.at(11).inject(o.peer(ACK).seq(Open.rcv(2000)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 2000, 3000)));
            s.expectAt(11).flags(ACK).ack(Open.rcv(0));
            assertThat(o.c.available()).isZero();
            // The hole is filled: one ACK for everything, at once.
            s.at(12).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 0, 1000)));
            s.expectAt(12).flags(ACK).ack(Open.rcv(3000));
            assertThat(o.read()).isEqualTo(stream);
            assertThat(s.counter("out_of_order_segments")).isEqualTo(2);
        }

        @Test
        void overlappingAndDuplicateSegmentsAreTrimmed() {
            byte[] stream = bytes(2500, 9);
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(500)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 500, 1500)));
            s.expect();
            s.inject(o.peer(ACK).seq(Open.rcv(1000)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 1000, 2500)));
            s.expect();
            s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 0, 800)));
            s.expect().ack(Open.rcv(2500));
            // A duplicate of old data is acknowledged again, not delivered twice.
            s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(Arrays.copyOfRange(stream, 0, 800)));
            s.expect().ack(Open.rcv(2500));
            assertThat(o.read()).isEqualTo(stream);
        }

        @Test
        void aFullReceiveBufferClosesTheWindowAndReadingReopensIt() {
            TcpScript t = new TcpScript();
            Open p = new Open(t, TcpOptions.DEFAULT.withReceiveBuffer(2000), false, 65535, 1000, -1);
            t.at(10).inject(p.peer(ACK).seq(Open.rcv(0)).ack(p.snd(0)).data(1000));
            t.inject(p.peer(ACK).seq(Open.rcv(1000)).ack(p.snd(0)).data(1000));
            t.expectAt(10).ack(Open.rcv(2000)).win(0);
            // The peer probes the zero window with one byte: not accepted, answered with window 0.
            t.at(300).inject(p.peer(ACK).seq(Open.rcv(2000)).ack(p.snd(0)).data(1));
            t.expectAt(300).ack(Open.rcv(2000)).win(0);
            assertThat(p.c.available()).isEqualTo(2000);
            // The application reads: a window update goes out at once.
            byte[] b = new byte[2000];
            assertThat(p.c.receive(b, 0, 500)).isEqualTo(500);
            t.expectNothing(); // 500 of 2000 is not worth announcing (SWS avoidance: < min(half buffer, MSS))
            assertThat(p.c.receive(b, 0, 2000)).isEqualTo(1500);
            t.expect().flags(ACK).ack(Open.rcv(2000)).win(2000);
            assertThat(t.events("window_update")).hasSize(1);
        }

        @Test
        void dataOutsideTheWindowIsAnsweredWithAnAck() {
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(70000)).ack(o.snd(0)).data(10));
            s.expectAt(10).flags(ACK).ack(Open.rcv(0));
            s.inject(o.peer(ACK).seq(Open.rcv(-50)).ack(o.snd(0)).data(10));
            s.expect().flags(ACK).ack(Open.rcv(0));
            assertThat(o.c.available()).isZero();
            assertThat(s.counter("dropped.out_of_window")).isEqualTo(2);
        }
    }

    @Nested
    class Sending {

        @Test
        void dataIsCutIntoMssSegmentsAndNagleHoldsTheTail() {
            TcpScript s = new TcpScript();
            Open o = new Open(s, TcpOptions.DEFAULT, false, 65535, 500, -1);
            byte[] data = bytes(1200, 1);
            assertThat(o.c.send(data, 0, data.length)).isEqualTo(1200);
            s.expect().flags(ACK).seq(o.snd(0)).len(500);
            s.expect().flags(ACK).seq(o.snd(500)).len(500);
            // RFC 9293 section 3.7.4: the 200-byte tail waits while data is unacknowledged.
            s.expectNothingUntil(100);
            s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            s.expect().flags(ACK | PSH).seq(o.snd(1000)).len(200);
            assertThat(o.c.sendQueueLength()).isEqualTo(200);
        }

        @Test
        void noDelaySendsSmallSegmentsAtOnce() {
            TcpScript s = new TcpScript();
            Open o = new Open(s, TcpOptions.DEFAULT.withNoDelay(true), false, 65535, 500, -1);
            o.c.send(bytes(10, 0), 0, 10);
            s.expect().len(10);
            o.c.send(bytes(10, 0), 0, 10);
            s.expect().len(10).seq(o.snd(10));
            TcpScript t = new TcpScript();
            Open n = new Open(t, TcpOptions.DEFAULT, false, 65535, 500, -1);
            n.c.send(bytes(10, 0), 0, 10);
            t.expect().len(10);
            n.c.send(bytes(10, 0), 0, 10);
            t.expectNothing();
            // Turning TCP_NODELAY on pushes what Nagle held back.
            n.c.setOptions(n.c.options().withNoDelay(true));
            t.expect().len(10).seq(n.snd(10));
        }

        @Test
        void theSendBufferLimitsWritesAndAcksMakeRoom() {
            TcpScript s = new TcpScript();
            Open o = new Open(s, TcpOptions.DEFAULT.withSendBuffer(1000), false, 65535, 1000, -1);
            assertThat(o.c.send(bytes(1500, 0), 0, 1500)).isEqualTo(1000);
            assertThat(o.c.send(bytes(1, 0), 0, 1)).isZero();
            assertThat(o.c.sendBufferFree()).isZero();
            s.expect().len(1000);
            o.callbacks.clear();
            s.at(5).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            assertThat(o.c.sendBufferFree()).isEqualTo(1000);
            assertThat(o.callbacks).containsExactly("writable");
        }

        @Test
        void theRetransmissionTimerBacksOffThenTheConnectionTimesOut() {
            TcpScript s = new TcpScript(TcpConfig.defaults().withRetries(6, 5, 4));
            Open o = new Open(s);
            o.c.send(bytes(100, 0), 0, 100);
            s.expectAt(0).seq(o.snd(0)).len(100);
            // RTO = max(200 ms, SRTT + 4 RTTVAR) after the 0 ms handshake sample; doubled each time
            // (RFC 6298 section 5.5): 200, 400, 800, 1600 ms apart.
            for (long t : new long[] {200, 600, 1400, 3000}) {
                s.expectAt(t).seq(o.snd(0)).len(100);
            }
            s.expectNothingUntil(6199);
            assertThat(o.c.state()).isEqualTo(TcpState.ESTABLISHED);
            s.at(6200);
            assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(o.c.error()).isEqualTo(TcpError.TIMED_OUT);
            assertThat(o.callbacks).contains("closed TIMED_OUT");
            assertThat(s.counter("retransmitted.timeout")).isEqualTo(4);
            List<TraceEvent> cc = s.events("cc");
            // After the first timeout: ssthresh = max(FlightSize/2, 2*SMSS) = 2000, cwnd = 1 SMSS.
            assertThat(cc).anySatisfy(e -> assertThat(e.detail()).containsEntry("cwnd", 1000L).containsEntry("ssthresh", 2000L));
        }

        @Test
        void anAckAfterATimeoutResumesWithRttFromTheNewSample() {
            TcpScript s = new TcpScript();
            Open o = new Open(s);
            o.c.send(bytes(100, 0), 0, 100);
            s.expectAt(0);
            s.expectAt(200).seq(o.snd(0));
            s.at(250).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(100)));
            assertThat(o.c.sendQueueLength()).isZero();
            assertThat(o.c.info().backoff()).isZero();
            o.c.send(bytes(100, 1), 0, 100);
            s.expectAt(250).seq(o.snd(100));
            s.expectAt(450).seq(o.snd(100)); // Karn: the retransmitted segment gave no sample; RTO 200 ms
        }

        @Test
        void threeDuplicateAcksTriggerFastRetransmitAndNewRenoRecovery() {
            TcpScript s = new TcpScript();
            Open o = new Open(s);
            o.c.send(bytes(10_000, 0), 0, 10_000);
            for (int i = 0; i < 10; i++) {
                s.expect().seq(o.snd(i * 1000L)).len(1000); // IW = 10 segments (RFC 6928)
            }
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            s.at(11).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            s.at(12).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            s.expectNothing();
            s.at(13).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1000)));
            s.expectAt(13).seq(o.snd(1000)).len(1000);
            assertThat(o.c.info().ssthresh()).isEqualTo(4500); // FlightSize 9000 / 2
            assertThat(o.c.info().cwnd()).isEqualTo(7500);     // ssthresh + 3 SMSS
            // A partial ACK (up to the next hole) retransmits the next segment at once (RFC 6582 step 4).
            s.at(20).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(5000)));
            s.expectAt(20).seq(o.snd(5000)).len(1000);
            // The full ACK ends recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
            s.at(30).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(10_000)));
            assertThat(o.c.info().cwnd()).isEqualTo(2000);
            assertThat(s.counter("fast_retransmits")).isEqualTo(1);
            assertThat(s.counter("retransmitted.fast")).isEqualTo(1);
            assertThat(s.counter("retransmitted.partial_ack")).isEqualTo(1);
            assertThat(s.events("recovery_enter")).hasSize(1);
            assertThat(s.events("recovery_exit")).hasSize(1);
            assertThat(s.events("retransmit")).extracting(e -> e.detail().get("reason")).containsExactly("fast", "partial_ack");
            s.judgeWithTshark("fast-retransmit");
        }

        @Test
        void aZeroWindowIsProbedWithBackoffUntilItOpens() {
            TcpScript s = new TcpScript();
            Open o = new Open(s);
            s.at(5).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).win(0));
            o.c.send(bytes(500, 0), 0, 500);
            s.expectNothing();
            // Persist timer: RTO 200 ms, doubling (RFC 1122 section 4.2.2.17); each probe carries an
            // old sequence number (SND.UNA - 1) and no data.
            for (long t : new long[] {205, 605, 1405, 3005}) {
                s.expectAt(t).flags(ACK).seq(o.snd(-1)).len(0);
                s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).win(0)); // the peer answers: still zero
            }
            assertThat(o.c.state()).isEqualTo(TcpState.ESTABLISHED);
            s.at(3100).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).win(1000));
            s.expectAt(3100).seq(o.snd(0)).len(500);
            assertThat(s.events("zero_window_probe")).hasSize(4);
            assertThat(s.events("window_opened")).hasSize(1);
        }

        @Test
        void theWindowScaleOfThePeerIsApplied() {
            TcpScript s = new TcpScript();
            Open o = new Open(s, TcpOptions.DEFAULT, false, 65535, 1000, 3);
            s.at(1).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).win(100)); // 100 << 3 = 800 bytes
            o.c.send(bytes(2000, 0), 0, 2000);
            assertThat(o.c.info().sendWindow()).isEqualTo(800);
            // Sender SWS avoidance (RFC 9293 section 3.8.6.2.1): 800 bytes is less than an MSS and less
            // than half the largest window seen, so it waits for the override timeout (the persist timer).
            s.expectNothingUntil(200);
            s.expectAt(201).seq(o.snd(0)).len(800);
            s.at(202).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(800)).win(1000)); // 8000 bytes
            s.expect().seq(o.snd(800)).len(1000);
            s.expectNothing(); // Nagle: the 200-byte tail waits for that ACK
            s.at(203).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(1800)).win(1000));
            s.expect().seq(o.snd(1800)).len(200);
        }
    }

    @Nested
    class Rfc5961 {
        final TcpScript s = new TcpScript();
        final Open o = new Open(s);

        @Test
        void aResetInsideTheWindowButNotAtRcvNxtGetsAChallengeAck() {
            s.at(10).inject(o.peer(RST).seq(Open.rcv(500)));
            s.expectAt(10).flags(ACK).seq(o.snd(0)).ack(Open.rcv(0));
            assertThat(o.c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(s.counter("challenge_acks")).isEqualTo(1);
            // Out of the window: silently dropped.
            s.inject(o.peer(RST).seq(Open.rcv(100_000)));
            s.expectNothing();
            // Exactly RCV.NXT: the connection is reset.
            s.at(20).inject(o.peer(RST).seq(Open.rcv(0)));
            s.expectNothing();
            assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(o.c.error()).isEqualTo(TcpError.RESET);
            assertThat(o.callbacks).contains("closed RESET");
            assertThatThrownBy(() -> o.c.receive(new byte[1], 0, 1)).isInstanceOf(TcpException.class)
                    .hasMessageStartingWith("ECONNRESET");
        }

        @Test
        void aSynInEstablishedGetsAChallengeAck() {
            s.at(10).inject(o.peer(SYN).seq(Open.rcv(0)));
            s.expectAt(10).flags(ACK).seq(o.snd(0)).ack(Open.rcv(0));
            s.inject(o.peer(SYN).seq(5));
            s.expect().flags(ACK).ack(Open.rcv(0));
            assertThat(o.c.state()).isEqualTo(TcpState.ESTABLISHED);
        }

        @Test
        void anAckOfDataNeverSentGetsAnAckAndTheSegmentIsDropped() {
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(5000)).data(10));
            s.expectAt(10).flags(ACK).ack(Open.rcv(0));
            assertThat(o.c.available()).isZero();
            s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(-200_000)).data(10));
            s.expect().flags(ACK).ack(Open.rcv(0));
            assertThat(o.c.available()).isZero();
        }

        @Test
        void challengeAcksAreRateLimited() {
            for (int i = 0; i < TcpLayer.CHALLENGE_ACK_LIMIT + 5; i++) {
                s.inject(o.peer(SYN).seq(Open.rcv(i)));
            }
            assertThat(s.counter("challenge_acks")).isEqualTo(TcpLayer.CHALLENGE_ACK_LIMIT);
            assertThat(s.counter("dropped.challenge_ack_rate_limited")).isEqualTo(5);
        }
    }

    @Nested
    class Timestamps {
        final TcpScript s = new TcpScript();
        final Open o = new Open(s, TcpOptions.DEFAULT, true, 65535, 1460, 7);

        @Test
        void everySegmentCarriesTimestampsEchoingTheLatest() {
            s.at(10).inject(o.peer(ACK | PSH).seq(Open.rcv(0)).ack(o.snd(0)).data(10));
            TcpScript.Expect ack = s.expectAt(50);
            assertThat(ack.segment().timestamps().echoReply()).isEqualTo(o.peerTs - 1);
            assertThat(ack.segment().timestamps().value()).isEqualTo((o.dutTs + 50) & 0xFFFFFFFFL);
            assertThat(o.c.info().mss()).isEqualTo(1448);
        }

        @Test
        void pawsDropsAnOldDuplicateAndAcks() {
            s.at(10).inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(10));
            s.at(60).inject(s.seg(ACK).seq(Open.rcv(10)).ack(o.snd(0)).ts(50, o.dutTs).data(10)); // TSval 50 < TS.Recent
            s.expectAt(50); // delayed ACK of the first segment
            s.expectAt(60).flags(ACK).ack(Open.rcv(10));
            assertThat(o.c.available()).isEqualTo(10);
            assertThat(s.counter("dropped.paws")).isEqualTo(1);
        }

        @Test
        void aSegmentWithoutTimestampsIsDropped() {
            s.at(10).inject(s.seg(ACK).seq(Open.rcv(0)).ack(o.snd(0)).data(10));
            s.expectNothingUntil(100);
            assertThat(o.c.available()).isZero();
            assertThat(s.counter("dropped.missing_timestamp")).isEqualTo(1);
        }
    }

    @Test
    void keepAliveProbesAnIdlePeerAndGivesUp() {
        TcpScript s = new TcpScript();
        Open o = new Open(s, TcpOptions.DEFAULT.withKeepAlive(true).withKeepAliveTimes(10_000 * TcpScript.MS,
                1_000 * TcpScript.MS, 3), false, 65535, 1000, -1);
        // RFC 9293 section 3.8.4: SEG.SEQ = SND.NXT - 1, no data.
        s.expectAt(10_000).flags(ACK).seq(o.snd(-1)).ack(Open.rcv(0)).len(0);
        s.inject(o.peer(ACK).seq(Open.rcv(0)).ack(o.snd(0)));
        // Answered: the next probe comes a full idle time after the answer.
        s.expectAt(20_000).seq(o.snd(-1));
        s.expectAt(21_000).seq(o.snd(-1));
        s.expectAt(22_000).seq(o.snd(-1));
        s.expectAt(23_000).flags(RST).seq(o.snd(0));
        assertThat(o.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(o.c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(s.counter("keepalive_probes")).isEqualTo(4);
    }
}
