package dev.wirelab.netstack.time;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RealTimeLoopTest {

    @Test
    void tasksFromOneThreadRunInOrderOnTheLoopThread() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock())) {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean allInLoop = new AtomicBoolean(true);
            CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 10_000; i++) {
                int n = i;
                loop.execute(() -> {
                    allInLoop.compareAndSet(true, loop.inLoop());
                    seen.add(n);
                });
            }
            loop.execute(done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(allInLoop).isTrue();
            assertThat(loop.inLoop()).isFalse();
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
            assertThat(seen).hasSize(10_000);
        }
    }

    @Test
    void timersFireInDueOrderNotBefore() throws Exception {
        RealTimeClock clock = new RealTimeClock();
        try (RealTimeLoop loop = new RealTimeLoop("t", clock)) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            AtomicLong early = new AtomicLong();
            CountDownLatch done = new CountDownLatch(5);
            long[] delaysMs = {50, 10, 30, 20, 40};
            long start = clock.nanos();
            for (long d : delaysMs) {
                loop.schedule(EventLoop.millis(d), () -> {
                    if (clock.nanos() - start < EventLoop.millis(d)) {
                        early.incrementAndGet();
                    }
                    order.add((int) d);
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(order).containsExactly(10, 20, 30, 40, 50);
            assertThat(early).hasValue(0);
        }
    }

    @Test
    void equalDueTimesKeepSchedulingOrder() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock())) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(() -> {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    loop.schedule(0, () -> order.add(n));
                }
                loop.schedule(EventLoop.millis(5), done::countDown);
            });
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                assertThat(order.get(i)).isEqualTo(i);
            }
        }
    }

    @Test
    void cancelledTimersNeverRunFromTheLoopOrAnotherThread() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock())) {
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            // Re-armed the way TCP re-arms its RTO: cancel and schedule again, thousands of times.
            loop.execute(() -> {
                Cancellable c = Cancellable.NONE;
                for (int i = 0; i < 5_000; i++) {
                    c.cancel();
                    c = loop.schedule(EventLoop.millis(20), ran::incrementAndGet);
                }
                c.cancel();
            });
            List<Cancellable> fromOutside = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                fromOutside.add(loop.schedule(EventLoop.millis(20), ran::incrementAndGet));
            }
            fromOutside.forEach(Cancellable::cancel);
            loop.schedule(EventLoop.millis(60), done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).hasValue(0);
        }
    }

    @Test
    void aThrowingTaskIsReportedAndTheLoopGoesOn() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock())) {
            AtomicInteger reported = new AtomicInteger();
            CountDownLatch handler = new CountDownLatch(1);
            loop.execute(() -> Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                reported.incrementAndGet();
                handler.countDown();
            }));
            loop.execute(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(handler.await(10, TimeUnit.SECONDS)).isTrue();
            CountDownLatch after = new CountDownLatch(2);
            loop.execute(after::countDown);
            loop.schedule(EventLoop.millis(1), after::countDown);
            assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(reported).hasValue(1);
        }
    }

    @Test
    void manyProducersLoseNoWakeUp() throws Exception {
        try (RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock())) {
            int producers = 4;
            int each = 20_000;
            AtomicInteger count = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Thread t = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        loop.execute(count::incrementAndGet);
                        if (i % 1000 == 0) {
                            Thread.yield(); // let the loop fall asleep now and then
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (count.get() < producers * each && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(count).hasValue(producers * each);
        }
    }

    @Test
    void closeStopsTheLoopAndLaterTasksAreIgnored() throws Exception {
        RealTimeLoop loop = new RealTimeLoop("t", new RealTimeClock());
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        loop.close();
        AtomicInteger after = new AtomicInteger();
        loop.execute(after::incrementAndGet);
        assertThat(loop.schedule(0, after::incrementAndGet)).isSameAs(Cancellable.NONE);
        Thread.sleep(50);
        assertThat(after).hasValue(0);
    }
}
