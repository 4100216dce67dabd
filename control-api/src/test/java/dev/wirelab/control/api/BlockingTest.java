package dev.wirelab.control.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that goes away interrupts an ordinary blocking call, never a run start's. */
class BlockingTest {

    /** Starts a task that sleeps 300 ms, cancels its subscription at once; whether it was interrupted. */
    static boolean interruptedWhenCancelled(boolean toTheEnd) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch over = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        java.util.concurrent.Callable<String> task = () -> {
            started.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                over.countDown();
            }
            return "done";
        };
        var d = (toTheEnd ? Blocking.callToTheEnd(task) : Blocking.call(task)).subscribe();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        d.dispose();
        assertThat(over.await(5, TimeUnit.SECONDS)).isTrue();
        return interrupted.get();
    }

    @Test
    void aCancelledCallIsInterruptedButACallToTheEndFinishes() throws Exception {
        assertThat(interruptedWhenCancelled(false)).as("Blocking.call").isTrue();
        assertThat(interruptedWhenCancelled(true)).as("Blocking.callToTheEnd").isFalse();
    }
}
