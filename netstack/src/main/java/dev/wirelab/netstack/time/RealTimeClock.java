package dev.wirelab.netstack.time;

/** Monotonic nanoseconds since the lab started, anchored to the wall clock once at start. */
public final class RealTimeClock {
    private final long startNanoTime = System.nanoTime();
    private final long epochUnixNanos = System.currentTimeMillis() * 1_000_000L;

    public long nanos() {
        return System.nanoTime() - startNanoTime;
    }

    public long epochUnixNanos() {
        return epochUnixNanos;
    }
}
