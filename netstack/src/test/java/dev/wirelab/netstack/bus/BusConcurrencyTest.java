package dev.wirelab.netstack.bus;

import static dev.wirelab.netstack.bus.TestFrames.B;
import static dev.wirelab.netstack.bus.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real time: several node threads send at once; nothing is lost, counted twice or reordered per sender. */
@Timeout(30)
class BusConcurrencyTest {

    @Test
    void concurrentSendersAreSerializedPerSegment() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("bus", new RealTimeClock())) {
            TraceRecorder trace = new TraceRecorder();
            Bus bus = new Bus(loop, trace, 1);
            bus.addSegment("lan", 1);
            Link sink = bus.connect("lan", "sink:eth0");
            int senders = 4;
            int perSender = 5_000;
            int[][] lastSeen = new int[senders][1];
            AtomicLong got = new AtomicLong();
            List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            sink.setReceiver(f -> {
                int id = TestFrames.id(f);
                int sender = id / perSender;
                synchronized (lastSeen[sender]) {
                    if (id % perSender != lastSeen[sender][0]) {
                        errors.add("sender " + sender + ": got " + id % perSender + " expected " + lastSeen[sender][0]);
                    }
                    lastSeen[sender][0] = id % perSender + 1;
                }
                got.incrementAndGet();
            });
            sink.send(frame(MacAddress.BROADCAST, B, -1)); // learn the sink
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                Link l = bus.connect("lan", "n" + s + ":eth0");
                MacAddress mac = new MacAddress(0x0200_0000_1000L + s);
                int base = s * perSender;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perSender; i++) {
                        l.send(frame(B, mac, base + i));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThat(got.get()).isEqualTo((long) senders * perSender);
            assertThat(trace.frames()).hasSize(senders * perSender + 1);
            assertThat(bus.segment("lan").counters("sink:eth0").txFrames()).isEqualTo((long) senders * perSender);
        }
    }

    @Test
    void delayedFramesAreDeliveredByTheBusLoopInOrder() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("bus", new RealTimeClock())) {
            Bus bus = new Bus(loop, new TraceRecorder(), 1);
            bus.addSegment("lan", 1);
            Link a = bus.connect("lan", "a");
            Link b = bus.connect("lan", "b");
            Receiver rb = new Receiver(loop);
            b.setReceiver(rb);
            bus.setImpairments("lan", Impairments.NONE.withDelay(Duration.ofMillis(20)).withJitter(Duration.ofMillis(5)));
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                a.send(frame(B, TestFrames.A, i));
            }
            assertThat(rb.await(100, 5000)).isTrue();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(15_000_000L);
            assertThat(rb.ids()).isSorted().hasSize(100);
        }
    }
}
