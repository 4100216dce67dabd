package dev.wirelab.control.ingest;

import java.util.ArrayDeque;

/** Per-second rate of a growing total, over the last few seconds (for frames/s and events/s gauges). */
final class RateWindow {

    private static final long WINDOW_NANOS = 5_000_000_000L;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** Records the total at time {@code nowNanos} ({@link System#nanoTime()}); at most one sample per 100 ms. */
    synchronized void record(long total, long nowNanos) {
        long[] last = samples.peekLast();
        if (last != null && nowNanos - last[0] < 100_000_000L) {
            last[1] = total;
            return;
        }
        samples.addLast(new long[]{nowNanos, total});
        while (samples.size() > 2 && nowNanos - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    /** Units per second between the oldest and the newest sample; 0 when the newest is stale. */
    synchronized double rate(long nowNanos) {
        if (samples.size() < 2) {
            return 0;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        if (nowNanos - last[0] > WINDOW_NANOS) {
            return 0;
        }
        long span = Math.max(nowNanos, last[0]) - first[0];
        return span <= 0 ? 0 : (last[1] - first[1]) * 1e9 / span;
    }
}
