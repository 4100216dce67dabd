package dev.wirelab.netstack.bus;

import static dev.wirelab.netstack.bus.TestFrames.A;
import static dev.wirelab.netstack.bus.TestFrames.B;
import static dev.wirelab.netstack.bus.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Each impairment with a fixed seed. The bounds are statistical (several standard deviations
 * wide) and hold for these seeds; exact reproducibility is checked separately.
 */
class ImpairmentsTest {

    private static final int N = 10_000;

    /** A two-port lab in virtual time: a sends N frames to b, one every 100 us. */
    private static final class Run {
        final VirtualTimeScheduler loop = new VirtualTimeScheduler();
        final TraceRecorder trace = new TraceRecorder();
        final Bus bus;
        final Link a;
        final Link b;
        final Receiver rb = new Receiver(loop);
        final List<Long> sentAt = new ArrayList<>();
        int scheduled;

        Run(long seed, Impairments imp) {
            bus = new Bus(loop, trace, seed);
            bus.addSegment("lan", 7);
            a = bus.connect("lan", "a:eth0");
            b = bus.connect("lan", "b:eth0");
            b.setReceiver(rb);
            b.send(frame(A, B, -1)); // b learned before impairments apply
            bus.setImpairments("lan", imp);
        }

        Run send(int n, long spacingNanos, int length) {
            for (int i = 0; i < n; i++) {
                int id = scheduled++;
                loop.schedule(spacingNanos * i, () -> {
                    sentAt.add(loop.nanos());
                    a.send(frame(B, A, id, length));
                });
            }
            loop.runUntilIdle(Long.MAX_VALUE);
            return this;
        }

        PortCounters counters() {
            return bus.segment("lan").counters("a:eth0");
        }
    }

    private static Run run(long seed, Impairments imp) {
        return new Run(seed, imp).send(N, 100_000, 100);
    }

    @Test
    void noImpairmentsDeliverEverythingInOrderAtOnce() {
        Run r = run(1, Impairments.NONE);
        assertThat(r.rb.ids()).hasSize(N).isSorted();
        assertThat(r.rb.frames()).allSatisfy(g -> assertThat(g.timeNanos()).isEqualTo(g.id() * 100_000L));
    }

    @Test
    void lossDropsAboutThatShareAndCountsIt() {
        Run r = run(1, Impairments.NONE.withLoss(0.3));
        int delivered = r.rb.count();
        assertThat(delivered).isBetween(6_700, 7_300); // 7000 +- ~6.5 sigma
        assertThat(r.counters().drops(DropReason.LOSS)).isEqualTo(N - delivered);
        assertThat(r.trace.frames()).hasSize(N + 1); // captured at ingress, before the loss
        assertThat(r.trace.events(e -> "loss".equals(e.detail().get("reason")))).hasSize(N - delivered);
        assertThat(r.rb.ids()).isSorted();
    }

    @Test
    void sameSeedSameDeliveriesOtherSeedOtherDeliveries() {
        Impairments imp = Impairments.fromMap(Map.of("loss", 0.1, "delay", "1ms", "jitter", "300us",
                "duplicate", 0.05, "reorder", 0.05, "corrupt", 0.05, "rate", "100mbit"));
        List<String> first = fingerprint(run(77, imp));
        List<String> again = fingerprint(run(77, imp));
        List<String> other = fingerprint(run(78, imp));
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    private static List<String> fingerprint(Run r) {
        return r.rb.frames().stream()
                .map(g -> g.timeNanos() + ":" + java.util.HexFormat.of().formatHex(g.frame()))
                .toList();
    }

    @Test
    void segmentsOfOneLabDrawFromDifferentStreams() {
        assertThat(Segment.seedFor(5, "lan")).isNotEqualTo(Segment.seedFor(5, "wan"));
        assertThat(Segment.seedFor(5, "lan")).isEqualTo(Segment.seedFor(5, "lan"));
    }

    @Test
    void delayShiftsEveryDeliveryByExactlyThatMuch() {
        Run r = run(1, Impairments.NONE.withDelay(Duration.ofMillis(2)));
        assertThat(r.rb.frames()).hasSize(N)
                .allSatisfy(g -> assertThat(g.timeNanos()).isEqualTo(g.id() * 100_000L + 2_000_000L));
    }

    @Test
    void jitterSpreadsTheDelayUniformlyAroundItsMean() {
        // Frames 3 ms apart, jitter +-1 ms: the FIFO rule never binds, delays are the raw draws.
        Run r = new Run(3, Impairments.NONE.withDelay(Duration.ofMillis(5)).withJitter(Duration.ofMillis(1)))
                .send(2_000, 3_000_000, 100);
        List<Receiver.Got> got = r.rb.frames();
        assertThat(got).hasSize(2_000);
        long[] delays = got.stream().mapToLong(g -> g.timeNanos() - g.id() * 3_000_000L).toArray();
        assertThat(java.util.Arrays.stream(delays).min().orElseThrow()).isGreaterThanOrEqualTo(4_000_000L);
        assertThat(java.util.Arrays.stream(delays).max().orElseThrow()).isLessThanOrEqualTo(6_000_000L);
        double mean = java.util.Arrays.stream(delays).average().orElseThrow();
        assertThat(mean).isBetween(4_950_000.0, 5_050_000.0); // sd of the mean ~13 us
        long below = java.util.Arrays.stream(delays).filter(d -> d < 5_000_000L).count();
        assertThat(below).isBetween(900L, 1_100L);
    }

    @Test
    void jitterAloneNeverReorders() {
        // Frames 100 us apart with +-1 ms jitter would overtake each other without the FIFO rule.
        Run r = run(3, Impairments.NONE.withDelay(Duration.ofMillis(5)).withJitter(Duration.ofMillis(1)));
        List<Receiver.Got> got = r.rb.frames();
        assertThat(got).hasSize(N);
        assertThat(r.rb.ids()).isSorted();
        long prev = 0;
        for (Receiver.Got g : got) {
            long d = g.timeNanos() - g.id() * 100_000L;
            // A frame held by the FIFO rule leaves with its predecessor, itself within +-jitter.
            assertThat(d).isBetween(4_000_000L, 6_000_000L);
            assertThat(g.timeNanos()).isGreaterThanOrEqualTo(prev);
            prev = g.timeNanos();
        }
        assertThat(got.stream().mapToLong(Receiver.Got::timeNanos).distinct().count()).isGreaterThan(1_000);
    }

    @Test
    void duplicationDeliversSomeFramesTwiceBackToBack() {
        Run r = run(4, Impairments.NONE.withDuplicate(0.2));
        List<Integer> ids = r.rb.ids();
        int dups = ids.size() - N;
        assertThat(dups).isBetween(1_700, 2_300);
        assertThat(ids.stream().distinct().count()).isEqualTo(N);
        int adjacentPairs = 0;
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i).equals(ids.get(i - 1))) {
                adjacentPairs++;
            }
        }
        assertThat(adjacentPairs).isEqualTo(dups);
    }

    @Test
    void reorderingHoldsSomeFramesBackSoLaterOnesOvertake() {
        // 1 ms hold-back with frames every 100 us: each reordered frame is overtaken by ~10 others.
        Run r = run(5, Impairments.NONE.withReorder(0.1, Duration.ofMillis(1)));
        List<Receiver.Got> got = r.rb.frames();
        assertThat(got).hasSize(N);
        int late = 0;
        for (Receiver.Got g : got) {
            long d = g.timeNanos() - g.id() * 100_000L;
            assertThat(d).isIn(0L, 1_000_000L);
            if (d == 1_000_000L) {
                late++;
            }
        }
        assertThat(late).isBetween(800, 1_200);
        int inversions = 0;
        List<Integer> ids = r.rb.ids();
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i) < ids.get(i - 1)) {
                inversions++;
            }
        }
        assertThat(inversions).isBetween(700, late);
    }

    @Test
    void corruptionFlipsExactlyOneBitAfterTheEthernetHeader() {
        Run r = run(6, Impairments.NONE.withCorrupt(0.25));
        int corrupted = 0;
        for (Receiver.Got g : r.rb.frames()) {
            byte[] sent = frame(B, A, -2, 100);
            byte[] got = g.frame().clone();
            // rebuild what was sent from the id when the id bytes themselves were hit
            int bitsDiffering = 0;
            int firstDiff = -1;
            byte[] original = r.trace.frames().get(indexOfSent(r, g)).bytes();
            for (int i = 0; i < got.length; i++) {
                int x = Integer.bitCount((got[i] ^ original[i]) & 0xFF);
                if (x > 0 && firstDiff < 0) {
                    firstDiff = i;
                }
                bitsDiffering += x;
            }
            assertThat(sent).hasSize(100);
            assertThat(bitsDiffering).isLessThanOrEqualTo(1);
            if (bitsDiffering == 1) {
                corrupted++;
                assertThat(firstDiff).isGreaterThanOrEqualTo(14);
            }
        }
        assertThat(corrupted).isBetween(2_200, 2_800);
        assertThat(r.rb.count()).isEqualTo(N);
    }

    /** The captured frame (always intact) that a delivery came from: deliveries keep order here. */
    private static int indexOfSent(Run r, Receiver.Got g) {
        return r.rb.frames().indexOf(g) + 1; // capture 0 is b's learning frame
    }

    @Test
    void rateLimitSerializesFramesBackToBack() {
        // 1000-byte frames at 1 Mbit/s take 8 ms each; a burst of 10 leaves 8 ms apart.
        Run r = new Run(1, Impairments.NONE.withRate(1_000_000)).send(10, 0, 1000);
        assertThat(r.rb.frames()).extracting(Receiver.Got::timeNanos)
                .containsExactly(8_000_000L, 16_000_000L, 24_000_000L, 32_000_000L, 40_000_000L,
                        48_000_000L, 56_000_000L, 64_000_000L, 72_000_000L, 80_000_000L);
    }

    @Test
    void rateLimitQueueOverflowDropsAndCounts() {
        // 10 KB of backlog (counting what is left of the frame on the wire): a burst of 100
        // 1000-byte frames keeps 10 and drops 90.
        Run r = new Run(1, Impairments.NONE.withRate(1_000_000).withQueueLimit(10_000)).send(100, 0, 1000);
        assertThat(r.rb.count()).isEqualTo(10);
        assertThat(r.counters().drops(DropReason.QUEUE_FULL)).isEqualTo(90);
        // once the queue has drained, frames pass again
        r.send(1, 0, 1000);
        assertThat(r.rb.count()).isEqualTo(11);
    }

    @Test
    void rateLimitThenDelayAdd() {
        Run r = new Run(1, Impairments.NONE.withRate(8_000_000).withDelay(Duration.ofMillis(3))).send(3, 0, 1000);
        assertThat(r.rb.frames()).extracting(Receiver.Got::timeNanos).containsExactly(4_000_000L, 5_000_000L, 6_000_000L);
    }

    @Test
    void impairmentsChangeMidRunAndNeverReorderFramesAlreadyInFlight() {
        Run r = new Run(1, Impairments.NONE.withDelay(Duration.ofMillis(10)));
        r.send(5, 100_000, 100);  // ids 0..4 leave at 0..0.4 ms, arrive at 10..10.4 ms
        // (send() ran the loop to idle; go again with frames in flight)
        Run s = new Run(1, Impairments.NONE.withDelay(Duration.ofMillis(10)));
        for (int i = 0; i < 10; i++) {
            int id = i;
            s.loop.schedule(100_000L * i, () -> {
                if (id == 5) {
                    s.bus.setImpairments("lan", Impairments.NONE); // delay removed while 0..4 are in flight
                }
                if (id == 8) {
                    s.bus.setImpairments("lan", Impairments.NONE.withLoss(1.0));
                }
                s.a.send(frame(B, A, id));
            });
        }
        s.loop.runUntilIdle(Long.MAX_VALUE);
        assertThat(s.rb.ids()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        // 5..7 wait behind the delayed frames instead of overtaking them
        assertThat(s.rb.frames().get(5).timeNanos()).isEqualTo(10_400_000L);
        assertThat(s.counters().drops(DropReason.LOSS)).isEqualTo(2);
        assertThat(r.rb.count()).isEqualTo(5);
    }

    @Test
    void floodedFrameSharesOneFate() {
        VirtualTimeScheduler loop = new VirtualTimeScheduler();
        Bus bus = new Bus(loop, new TraceRecorder(), 9);
        bus.addSegment("lan", 1);
        Link a = bus.connect("lan", "a");
        Receiver r1 = new Receiver(loop);
        Receiver r2 = new Receiver(loop);
        bus.connect("lan", "b").setReceiver(r1);
        bus.connect("lan", "c").setReceiver(r2);
        bus.setImpairments("lan", Impairments.NONE.withLoss(0.5).withCorrupt(0.5).withJitter(Duration.ofMillis(1)));
        for (int i = 0; i < 200; i++) {
            a.send(frame(dev.wirelab.netstack.wire.MacAddress.BROADCAST, A, i));
            loop.runFor(EventLoop.millis(5));
        }
        assertThat(r1.count()).isBetween(60, 140);
        assertThat(fingerprint(r1)).isEqualTo(fingerprint(r2));
    }

    private static List<String> fingerprint(Receiver r) {
        return r.frames().stream().map(g -> g.timeNanos() + ":" + java.util.HexFormat.of().formatHex(g.frame())).toList();
    }

    @Test
    void parsesTopologyStyleSpecs() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("delay", "2ms");
        spec.put("jitter", "500us");
        spec.put("loss", 0.01);
        spec.put("duplicate", "1%");
        spec.put("reorder", "0.05");
        spec.put("reorder_delay", "3ms");
        spec.put("corrupt", 0.001);
        spec.put("rate", "10mbit");
        spec.put("queue", "64kb");
        Impairments i = Impairments.fromMap(spec);
        assertThat(i).isEqualTo(new Impairments(0.01, 2_000_000, 500_000, 0.01, 0.05, 3_000_000, 0.001, 10_000_000,
                65_536));
        assertThat(Impairments.fromMap(Map.of("delay", "1.5s", "rate", "1gbit/s")))
                .extracting(Impairments::delayNanos, Impairments::rateBitsPerSecond)
                .containsExactly(1_500_000_000L, 1_000_000_000L);
        assertThat(Impairments.fromMap(Map.of()).isNone()).isTrue();
        assertThat(Impairments.fromMap(Map.of("delay", 0)).isNone()).isTrue();
    }

    @Test
    void rejectsBadSpecsWithPreciseMessages() {
        assertThatThrownBy(() -> Impairments.fromMap(Map.of("loss", 1.5)))
                .hasMessage("loss: loss must be a probability in [0, 1], got 1.5");
        assertThatThrownBy(() -> Impairments.fromMap(Map.of("delay", "2 parsecs")))
                .hasMessage("delay: '2 parsecs' is not a duration (e.g. 2ms, 500us, 1s)");
        assertThatThrownBy(() -> Impairments.fromMap(Map.of("delay", 2)))
                .hasMessage("delay: '2' is not a duration (e.g. 2ms, 500us, 1s)");
        assertThatThrownBy(() -> Impairments.fromMap(Map.of("rate", "fast")))
                .hasMessageStartingWith("rate: 'fast' is not a rate");
        assertThatThrownBy(() -> Impairments.fromMap(Map.of("lossy", 0.1)))
                .hasMessageStartingWith("unknown impairment 'lossy'");
        assertThatThrownBy(() -> Impairments.NONE.withJitter(Duration.ofMillis(-1)))
                .hasMessageContaining("jitter must not be negative");
    }

    @Test
    void unaryHelpersKeepOtherFields() {
        UnaryOperator<Impairments> all = i -> i.withLoss(0.1).withDelay(Duration.ofMillis(1))
                .withJitter(Duration.ofMillis(2)).withDuplicate(0.2).withReorder(0.3, Duration.ofMillis(4))
                .withCorrupt(0.4).withRate(5).withQueueLimit(6);
        assertThat(all.apply(Impairments.NONE)).isEqualTo(new Impairments(0.1, 1_000_000, 2_000_000, 0.2, 0.3,
                4_000_000, 0.4, 5, 6));
    }
}
