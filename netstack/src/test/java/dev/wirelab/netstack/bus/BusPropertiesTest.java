package dev.wirelab.netstack.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Arbitrary bytes from arbitrary ports under arbitrary impairments: the bus counts, never throws. */
class BusPropertiesTest {

    record Sent(int port, byte[] bytes) {
    }

    /**
     * Small MAC space (last byte 0..3, group bit sometimes set) so learning, filtering and flooding
     * all happen; lengths around the 14-byte boundary.
     */
    static Sent send(Random rnd) {
        byte[] b = Gen.bytes(rnd, 80);
        if (b.length >= 12) {
            for (int i = 0; i < 12; i++) {
                b[i] = (i == 5 || i == 11) ? (byte) (b[i] & 3) : (i == 0 ? (byte) (b[i] & 1) : 0);
            }
        }
        return new Sent(Gen.between(rnd, 0, 3), b);
    }

    static Impairments impairments(Random rnd) {
        double prob = probability(rnd);
        long delay = Gen.between(rnd, 0L, 5L);
        long jitter = Gen.between(rnd, 0L, 5L);
        double dup = probability(rnd);
        double reorder = probability(rnd);
        double corrupt = probability(rnd);
        long rate = Gen.between(rnd, 0L, 10_000_000L);
        int queue = Gen.between(rnd, 0, 5000);
        return impairments(prob, delay, jitter, dup, reorder, corrupt, rate, queue);
    }

    private static double probability(Random rnd) {
        return Gen.decimal(rnd, 0, 1, 2);
    }

    static Impairments impairments(double prob, long delay, long jitter, double dup, double reorder, double corrupt,
                                   long rate, int queue) {
        return Impairments.NONE
                .withLoss(prob / 2).withDelay(Duration.ofMillis(delay)).withJitter(Duration.ofMillis(jitter))
                .withDuplicate(dup / 2).withReorder(reorder / 2, Duration.ofMillis(1)).withCorrupt(corrupt)
                .withRate(rate).withQueueLimit(queue);
    }

    static LongStream seeds() {
        return Gen.seeds(200);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyBytesAreCountedAndNothingThrows(long seed) {
        Random rnd = Gen.random(seed);
        List<Sent> sends = Gen.list(rnd, 0, 60, BusPropertiesTest::send);
        check(sends, impairments(rnd), Gen.between(rnd, 0, 3));
    }

    /** The ends of each range: no frames, runts and maximal frames, no impairment and every impairment at its worst. */
    @Test
    void edgeCasesAreCountedAndNothingThrows() {
        Random rnd = Gen.random(-1);
        List<Sent> sends = new ArrayList<>();
        for (int len : new int[] {0, 1, 12, 13, 14, 15, 80}) {
            for (int port = 0; port < 4; port++) {
                byte[] b = Gen.bytesOfSize(rnd, len);
                if (b.length >= 12) {
                    Arrays.fill(b, 0, 12, (byte) 0);
                    b[0] = (byte) (port & 1); // ports 1 and 3 send to a group address
                    b[5] = (byte) ((port + 1) % 4);
                    b[11] = (byte) port;
                }
                sends.add(new Sent(port, b));
            }
        }
        Impairments worst = impairments(1, 5, 5, 1, 1, 1, 10_000_000, 5000);
        Impairments tight = impairments(1, 5, 5, 1, 1, 1, 1, 0);
        Impairments zero = impairments(0, 0, 0, 0, 0, 0, 0, 0);
        for (Impairments imp : List.of(worst, tight, zero)) {
            check(List.of(), imp, 0);
            for (int impairedAfter = 0; impairedAfter <= 3; impairedAfter++) {
                check(sends, imp, impairedAfter);
                check(sends.subList(0, 1), imp, impairedAfter);
            }
        }
    }

    private static void check(List<Sent> sends, Impairments imp, int impairedAfter) {
        VirtualTimeScheduler loop = new VirtualTimeScheduler();
        TraceRecorder trace = new TraceRecorder();
        Bus bus = new Bus(loop, trace, 3);
        bus.addSegment("lan", 1);
        Link[] links = new Link[4];
        long[] delivered = new long[1];
        for (int i = 0; i < 4; i++) {
            links[i] = bus.connect("lan", "n" + i + ":eth0");
            links[i].setReceiver(f -> delivered[0]++);
        }
        int n = 0;
        for (Sent s : sends) {
            if (n++ == impairedAfter) {
                bus.setImpairments("lan", imp);
            }
            links[s.port()].send(s.bytes());
            loop.runFor(100_000);
        }
        loop.runUntilIdle(Long.MAX_VALUE);

        List<PortCounters> c = bus.segment("lan").counters();
        long rx = c.stream().mapToLong(PortCounters::rxFrames).sum();
        long tx = c.stream().mapToLong(PortCounters::txFrames).sum();
        long runts = c.stream().mapToLong(p -> p.drops(DropReason.RUNT)).sum();
        long shortOnes = sends.stream().filter(s -> s.bytes().length < 14).count();
        assertThat(runts).isEqualTo(shortOnes);
        assertThat(rx + runts).isEqualTo(sends.size());
        assertThat(trace.frames()).hasSize((int) rx);
        assertThat(tx).isEqualTo(delivered[0]);
        // every received frame goes to at most 3 other ports, at most twice
        assertThat(tx).isLessThanOrEqualTo(rx * 3 * 2);
        assertThat(loop.pending()).isZero();
    }
}
