package dev.wirelab.netstack.tcp;

import static dev.wirelab.netstack.tcp.TcpScript.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.tcp.EstablishedStateTest.Open;
import dev.wirelab.netstack.testing.Gen;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties: sequence arithmetic across the wrap, RFC 6298 arithmetic, reassembly of any arrival order. */
class TcpPropertiesTest {

    static LongStream seeds1000() {
        return Gen.seeds(1000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds1000")
    void sequenceComparisonSurvivesTheWrap(long seed) {
        Random rnd = Gen.random(seed);
        checkSequenceComparison(Gen.anyInt(rnd), Gen.between(rnd, 1, Integer.MAX_VALUE));
    }

    /** Every pair of edge cases: the base at the ends of int and around 0, the distance 1, 2, 2^31 - 2 and 2^31 - 1. */
    static Stream<Arguments> sequenceEdgeCases() {
        return Arrays.stream(Gen.edgeCases(Integer.MIN_VALUE, Integer.MAX_VALUE)).boxed().flatMap(base ->
                Arrays.stream(Gen.edgeCases(1, Integer.MAX_VALUE)).mapToObj(d -> Arguments.of(base, d)));
    }

    @ParameterizedTest(name = "base {0}, d {1}")
    @MethodSource("sequenceEdgeCases")
    void sequenceComparisonSurvivesTheWrapAtTheEdges(int base, int d) {
        checkSequenceComparison(base, d);
    }

    private static void checkSequenceComparison(int base, int d) {
        SeqNum a = new SeqNum(base);
        SeqNum b = a.plus(d);
        assertThat(b.gt(a)).isTrue();
        assertThat(a.lt(b)).isTrue();
        assertThat(a.le(a)).isTrue();
        assertThat(b.minus(a)).isEqualTo(d);
        assertThat(b.minus((long) d)).isEqualTo(a);
        assertThat(SeqNum.max(a, b)).isEqualTo(b);
        assertThat(a.plus(d / 2).inWindow(a, b) || d == 1).isTrue();
        assertThat(b.inWindow(a, b)).isFalse();
    }

    @Test
    void sequenceNumbersWrapAt2To32() {
        SeqNum top = SeqNum.of(0xFFFFFFF0L);
        SeqNum wrapped = top.plus(0x20);
        assertThat(wrapped.unsigned()).isEqualTo(0x10);
        assertThat(wrapped.gt(top)).isTrue();
        assertThat(wrapped.minus(top)).isEqualTo(0x20);
        assertThat(wrapped.toString()).isEqualTo("16");
    }

    @Test
    void rttEstimatorFollowsRfc6298() {
        RttEstimator r = new RttEstimator(1_000_000_000L, 200_000_000L, 120_000_000_000L);
        assertThat(r.rto()).isEqualTo(1_000_000_000L); // section 2.1
        r.sample(100_000_000L);                        // section 2.2: SRTT = R, RTTVAR = R/2
        assertThat(r.srtt()).isEqualTo(100_000_000L);
        assertThat(r.rttvar()).isEqualTo(50_000_000L);
        assertThat(r.rto()).isEqualTo(300_000_000L);   // SRTT + 4*RTTVAR
        r.sample(200_000_000L);                        // section 2.3
        assertThat(r.rttvar()).isEqualTo((3 * 50_000_000L + 100_000_000L) / 4);
        assertThat(r.srtt()).isEqualTo((7 * 100_000_000L + 200_000_000L) / 8);
        r.backOff();
        r.backOff();
        assertThat(r.backoff()).isEqualTo(2);
        long backedOff = r.rto();
        r.resetBackoff();
        assertThat(r.rto()).isEqualTo(backedOff / 4);
        for (int i = 0; i < 40; i++) {
            r.backOff();
        }
        assertThat(r.rto()).isEqualTo(120_000_000_000L); // section 2.5: an upper bound
        RttEstimator fast = new RttEstimator(1_000_000_000L, 200_000_000L, 120_000_000_000L);
        fast.sample(0);
        assertThat(fast.rto()).isEqualTo(200_000_000L);  // section 2.4: the lower bound (Linux's 200 ms)
    }

    static LongStream seeds150() {
        return Gen.seeds(150);
    }

    /**
     * Whatever the segmentation, order, duplication and overlap of the arriving segments, the
     * application reads exactly the stream once every byte has arrived.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds150")
    void anyArrivalOrderReassemblesTheStream(long seed) {
        Random rnd = Gen.random(seed);
        checkReassembly(Gen.between(rnd, 1, 30_000), rnd);
    }

    /** The shortest and longest streams, and one and two segments' worth (the cut is at most 1460 bytes). */
    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {1, 2, 1459, 1460, 1461, 2920, 29_999, 30_000})
    void anyArrivalOrderReassemblesTheStreamAtTheEdges(int length) {
        for (long seed = 0; seed < 3; seed++) {
            checkReassembly(length, Gen.random(seed));
        }
    }

    private static void checkReassembly(int length, Random rnd) {
        byte[] stream = new byte[length];
        rnd.nextBytes(stream);
        record Piece(int off, int len) {
        }
        List<Piece> pieces = new ArrayList<>();
        int off = 0;
        while (off < length) {
            int len = Math.min(length - off, 1 + rnd.nextInt(1460));
            pieces.add(new Piece(off, len));
            off += len;
        }
        int extra = rnd.nextInt(pieces.size() + 1);
        for (int i = 0; i < extra; i++) { // duplicates and overlapping re-segmentations
            int a = rnd.nextInt(length);
            pieces.add(new Piece(a, Math.min(length - a, 1 + rnd.nextInt(2000))));
        }
        Collections.shuffle(pieces, rnd);
        TcpScript s = new TcpScript(TcpConfig.defaults(), false);
        Open o = new Open(s);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (Piece p : pieces) {
            byte[] d = new byte[p.len()];
            System.arraycopy(stream, p.off(), d, 0, p.len());
            s.inject(o.peer(ACK).seq(Open.rcv(p.off())).ack(o.snd(0)).data(d));
            if (rnd.nextInt(4) == 0) {
                int n;
                while ((n = o.c.receive(buf, 0, buf.length)) > 0) {
                    got.write(buf, 0, n);
                }
            }
        }
        int n;
        while ((n = o.c.receive(buf, 0, buf.length)) > 0) {
            got.write(buf, 0, n);
        }
        assertThat(got.toByteArray()).isEqualTo(stream);
        assertThat(o.c.info().bytesReceived()).isEqualTo(length);
    }
}
