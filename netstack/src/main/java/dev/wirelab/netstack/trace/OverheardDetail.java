package dev.wirelab.netstack.trace;

import java.util.concurrent.atomic.LongAdder;

/**
 * How much of what a broadcast makes its receivers do is traced in detail. An ARP request or a
 * DHCP broadcast on a segment of 200 hosts is heard by all of them, and each would trace that it
 * overheard it (and, for a UDP broadcast to a port it does not serve, that it sent no ICMP error):
 * in a lab of thousands of hosts most of the trace. Per broadcast, the first {@link #limit()}
 * receivers trace in detail; the others only count it (their counters, e.g.
 * {@code arp.requests_overheard}, and this object's totals), and the first of them traces one
 * {@code trace.detail_limited} event saying so. Nothing is lost from the counts; only the repeated
 * detail.
 *
 * <p>A broadcast is one frame: the bus hands the same array to every receiver of a flood
 * (receivers treat frames as read-only), so the frame's identity tells its receivers apart from
 * those of the next one. The few broadcasts being delivered at a time are remembered in a small
 * ring. Thread-safe.
 */
public final class OverheardDetail {

    /** The system property that sets the limit; 0 traces no receiver in detail. */
    public static final String PROPERTY = "wirelab.overheardDetail";
    public static final int DEFAULT_LIMIT = 16;

    /** What a receiver does with what it overheard. */
    public enum Verdict {
        /** Trace it in detail. */
        DETAIL,
        /** Count it, and trace {@code trace.detail_limited} once for this broadcast. */
        FIRST_LIMITED,
        /** Count it only. */
        COUNT
    }

    private static final int RING = 64;

    private final int limit;
    private final Object[] frames = new Object[RING];
    private final int[] receivers = new int[RING];
    private int next;
    private final LongAdder limitedReceivers = new LongAdder();
    private final LongAdder limitedBroadcasts = new LongAdder();

    public OverheardDetail(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException(PROPERTY + " must be 0 or more, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * The limit of {@link #PROPERTY}, else {@value #DEFAULT_LIMIT}.
     *
     * @throws IllegalArgumentException naming the property when it is not a whole number >= 0
     */
    public static OverheardDetail fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return new OverheardDetail(DEFAULT_LIMIT);
        }
        try {
            return new OverheardDetail(Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a whole number >= 0, got '" + v + "'");
        }
    }

    public int limit() {
        return limit;
    }

    /** One more receiver of the broadcast {@code frame}: whether it traces in detail. */
    public synchronized Verdict receiver(byte[] frame) {
        int i = next;
        for (int n = 0; n < RING; n++) {
            i = (i + RING - 1) % RING; // most recent first: the frame being delivered now
            if (frames[i] == frame) {
                return verdict(++receivers[i]);
            }
        }
        frames[next] = frame;
        receivers[next] = 1;
        next = (next + 1) % RING;
        return verdict(1);
    }

    private Verdict verdict(int receiver) {
        if (receiver <= limit) {
            return Verdict.DETAIL;
        }
        limitedReceivers.increment();
        if (receiver == limit + 1) {
            limitedBroadcasts.increment();
            return Verdict.FIRST_LIMITED;
        }
        return Verdict.COUNT;
    }

    /** Receivers that counted a broadcast without tracing it. */
    public long limitedReceivers() {
        return limitedReceivers.sum();
    }

    /** Broadcasts that had more receivers than the limit. */
    public long limitedBroadcasts() {
        return limitedBroadcasts.sum();
    }
}
