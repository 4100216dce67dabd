package dev.wirelab.netstack.time;

/**
 * Monotonic nanoseconds since the lab started, anchored to the wall clock once at start.
 *
 * <p>{@link System#nanoTime()} reads the kernel's {@code CLOCK_MONOTONIC} on Linux, which every
 * process and container of one machine shares (containers get no time namespace by default), so a
 * node in its own container that is given the lab's {@link #originNanoTime()} stamps its events on
 * the same timeline as the bus that captures its frames.
 */
public final class RealTimeClock {
    private final long startNanoTime;
    private final long epochUnixNanos;

    public RealTimeClock() {
        this(System.nanoTime(), System.currentTimeMillis() * 1_000_000L);
    }

    /** A clock whose zero is {@code originNanoTime} (a {@link System#nanoTime()} reading) at {@code epochUnixNanos}. */
    public RealTimeClock(long originNanoTime, long epochUnixNanos) {
        this.startNanoTime = originNanoTime;
        this.epochUnixNanos = epochUnixNanos;
    }

    public long nanos() {
        return System.nanoTime() - startNanoTime;
    }

    public long epochUnixNanos() {
        return epochUnixNanos;
    }

    /** The {@link System#nanoTime()} reading that is lab time zero. */
    public long originNanoTime() {
        return startNanoTime;
    }
}
