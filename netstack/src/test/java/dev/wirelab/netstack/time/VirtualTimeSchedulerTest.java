package dev.wirelab.netstack.time;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Tasks run in (time, submission) order, whether they were submitted for now or for later. */
class VirtualTimeSchedulerTest {

    @Test
    void tasksForNowAndForLaterInterleaveInTimeThenSubmissionOrder() {
        VirtualTimeScheduler s = new VirtualTimeScheduler();
        List<String> ran = new ArrayList<>();
        s.schedule(10, () -> {
            ran.add("a@10");
            s.execute(() -> ran.add("c@10 (now, from a)"));
            s.schedule(5, () -> ran.add("e@15"));
            s.schedule(0, () -> ran.add("d@10 (delay 0, from a)"));
        });
        s.schedule(10, () -> ran.add("b@10 (submitted at 0)"));
        s.execute(() -> ran.add("first@0"));
        s.schedule(15, () -> ran.add("f@15 (submitted at 0, before e)"));
        s.schedule(3, () -> ran.add("never")).cancel();
        s.execute(() -> ran.add("never either"));
        s.runUntilIdle(100);
        assertThat(ran).containsExactly("first@0", "never either", "a@10", "b@10 (submitted at 0)",
                "c@10 (now, from a)", "d@10 (delay 0, from a)", "f@15 (submitted at 0, before e)", "e@15");
        assertThat(s.pending()).isZero();
    }

    @Test
    void aRandomMixRunsInTheOrderOfOneSortedQueue() {
        VirtualTimeScheduler s = new VirtualTimeScheduler();
        SplittableRandom rng = new SplittableRandom(7);
        List<long[]> ran = new ArrayList<>(); // {time, submission number}
        long[] submitted = {0};
        Runnable[] spawn = new Runnable[1];
        spawn[0] = () -> {
            for (int i = 0; i < 3 && submitted[0] < 5_000; i++) {
                long delay = rng.nextInt(4) == 0 ? 0 : rng.nextLong(0, 50);
                long n = submitted[0]++;
                long at = s.nanos() + delay;
                s.schedule(delay, () -> {
                    ran.add(new long[] {at, n});
                    spawn[0].run();
                });
            }
        };
        spawn[0].run();
        s.runUntilIdle(Long.MAX_VALUE);
        assertThat(ran).hasSize(5_000);
        for (int i = 1; i < ran.size(); i++) {
            long[] a = ran.get(i - 1);
            long[] b = ran.get(i);
            assertThat(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])).as("task %d after %d", b[1], a[1]).isTrue();
            assertThat(b[0]).isGreaterThanOrEqualTo(a[0]);
        }
    }
}
