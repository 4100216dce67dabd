package dev.wirelab.netstack.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceRecorder;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Arbitrary bytes from arbitrary ports under arbitrary impairments: the bus counts, never throws. */
class BusPropertiesTest {

    record Sent(int port, byte[] bytes) {
    }

    @Provide
    Arbitrary<Sent> sends() {
        // Small MAC space (last byte 0..3, group bit sometimes set) so learning, filtering and
        // flooding all happen; lengths around the 14-byte boundary.
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(80)
                .map(b -> {
                    if (b.length >= 12) {
                        for (int i = 0; i < 12; i++) {
                            b[i] = (i == 5 || i == 11) ? (byte) (b[i] & 3) : (i == 0 ? (byte) (b[i] & 1) : 0);
                        }
                    }
                    return b;
                });
        return Combinators.combine(Arbitraries.integers().between(0, 3), bytes).as(Sent::new);
    }

    @Provide
    Arbitrary<List<Sent>> sendLists() {
        return sends().list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<Impairments> impairments() {
        Arbitrary<Double> p = Arbitraries.doubles().between(0, 1).ofScale(2);
        Arbitrary<Long> ms = Arbitraries.longs().between(0, 5);
        return Combinators.combine(p, ms, ms, p, p, p, Arbitraries.longs().between(0, 10_000_000),
                        Arbitraries.integers().between(0, 5000))
                .as((prob, delay, jitter, dup, reorder, corrupt, rate, queue) -> Impairments.NONE
                        .withLoss(prob / 2).withDelay(Duration.ofMillis(delay)).withJitter(Duration.ofMillis(jitter))
                        .withDuplicate(dup / 2).withReorder(reorder / 2, Duration.ofMillis(1)).withCorrupt(corrupt)
                        .withRate(rate).withQueueLimit(queue));
    }

    @Property(tries = 200)
    void anyBytesAreCountedAndNothingThrows(@ForAll("sendLists") List<Sent> sends,
                                            @ForAll("impairments") Impairments imp,
                                            @ForAll @IntRange(min = 0, max = 3) int impairedAfter) {
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
