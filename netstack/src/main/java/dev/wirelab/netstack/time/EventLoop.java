package dev.wirelab.netstack.time;

import java.util.concurrent.Executor;

/**
 * The one thread (or serial executor) a node's stack runs on. Stack code never reads the wall
 * clock and never sleeps: it asks the loop for the time and schedules timers on it, so the same
 * code runs in real time and in virtual (discrete-event) time.
 */
public interface EventLoop extends Executor {

    /** Nanoseconds since the lab's epoch (see {@link #epochUnixNanos()}). */
    long nanos();

    /** Wall-clock time of {@code nanos() == 0}, in nanoseconds since 1970, for capture timestamps. */
    long epochUnixNanos();

    /** Runs {@code task} on this loop after the tasks already queued for the current instant. */
    @Override
    void execute(Runnable task);

    /** Runs {@code task} on this loop once {@code delayNanos} have passed. */
    Cancellable schedule(long delayNanos, Runnable task);

    /** True when the calling thread is this loop's thread (always true inside a virtual-time run). */
    boolean inLoop();

    static long millis(long ms) {
        return ms * 1_000_000L;
    }

    static long seconds(long s) {
        return s * 1_000_000_000L;
    }
}
