package dev.wirelab.netstack.bus;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a segment does to the frames that cross it. An immutable value: a segment holds one and a
 * new one is swapped in atomically ({@link Segment#setImpairments}), so impairments can change
 * while frames flow; each frame sees exactly one value.
 *
 * <p>Semantics, applied once per frame at the switch after capture and learning, in this order,
 * each decision drawn from the segment's seeded RNG (one draw per enabled impairment, so a
 * virtual-time run reproduces exactly). The whole segment is one medium: all receivers of a
 * flooded frame share its fate.
 * <ol>
 *   <li>{@code loss}: probability that the frame is dropped (drop reason {@code LOSS}).</li>
 *   <li>{@code corrupt}: probability that one bit is flipped in one byte chosen uniformly after the
 *       14-byte Ethernet header (a frame with no payload is left intact). Receivers get a corrupted
 *       copy; the capture keeps the frame as sent.</li>
 *   <li>{@code duplicate}: probability that the frame is delivered twice (same time, same bytes).</li>
 *   <li>{@code rate} (bits/s, 0 = unlimited): the segment serializes frames one after another, each
 *       taking {@code 8 * length / rate} seconds. A frame that finds the medium busy is queued if
 *       the backlog (bytes not yet serialized, including what is left of the frame on the wire)
 *       plus itself fits in {@code queueLimitBytes}, else dropped ({@code QUEUE_FULL}); a frame
 *       that finds the medium idle is always sent.</li>
 *   <li>{@code delay} and {@code jitter}: after serialization the frame travels
 *       {@code delay + u} where {@code u} is uniform in {@code [-jitter, +jitter]} (total clamped
 *       at 0). Jitter alone never reorders: a frame is never delivered before the frame that
 *       entered the segment before it (as with a rate-limited netem).</li>
 *   <li>{@code reorder}: probability that the frame is held back by an extra
 *       {@code reorderDelay}, outside the FIFO rule above, so frames sent after it overtake it.</li>
 * </ol>
 *
 * @param loss              probability in [0, 1]
 * @param delayNanos        one-way delay, >= 0
 * @param jitterNanos       +/- uniform variation of the delay, >= 0
 * @param duplicate         probability in [0, 1]
 * @param reorder           probability in [0, 1]
 * @param reorderDelayNanos extra hold-back of a reordered frame, >= 0
 * @param corrupt           probability in [0, 1]
 * @param rateBitsPerSecond serialization rate, 0 = unlimited
 * @param queueLimitBytes   backlog limit of the rate limiter in bytes, >= 0
 */
public record Impairments(double loss, long delayNanos, long jitterNanos, double duplicate, double reorder,
                          long reorderDelayNanos, double corrupt, long rateBitsPerSecond, int queueLimitBytes) {

    public static final long DEFAULT_REORDER_DELAY_NANOS = 1_000_000L;
    public static final int DEFAULT_QUEUE_LIMIT_BYTES = 128 * 1024;

    /** A perfect segment. */
    public static final Impairments NONE = new Impairments(0, 0, 0, 0, 0, DEFAULT_REORDER_DELAY_NANOS, 0, 0,
            DEFAULT_QUEUE_LIMIT_BYTES);

    public Impairments {
        probability("loss", loss);
        probability("duplicate", duplicate);
        probability("reorder", reorder);
        probability("corrupt", corrupt);
        nonNegative("delay", delayNanos);
        nonNegative("jitter", jitterNanos);
        nonNegative("reorder_delay", reorderDelayNanos);
        nonNegative("rate", rateBitsPerSecond);
        nonNegative("queue", queueLimitBytes);
    }

    /** True when frames pass untouched and undelayed (the fast path). */
    public boolean isNone() {
        return loss == 0 && delayNanos == 0 && jitterNanos == 0 && duplicate == 0 && reorder == 0 && corrupt == 0
                && rateBitsPerSecond == 0;
    }

    public Impairments withLoss(double p) {
        return new Impairments(p, delayNanos, jitterNanos, duplicate, reorder, reorderDelayNanos, corrupt,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withDelay(Duration d) {
        return new Impairments(loss, d.toNanos(), jitterNanos, duplicate, reorder, reorderDelayNanos, corrupt,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withJitter(Duration d) {
        return new Impairments(loss, delayNanos, d.toNanos(), duplicate, reorder, reorderDelayNanos, corrupt,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withDuplicate(double p) {
        return new Impairments(loss, delayNanos, jitterNanos, p, reorder, reorderDelayNanos, corrupt,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withReorder(double p, Duration holdBack) {
        return new Impairments(loss, delayNanos, jitterNanos, duplicate, p, holdBack.toNanos(), corrupt,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withCorrupt(double p) {
        return new Impairments(loss, delayNanos, jitterNanos, duplicate, reorder, reorderDelayNanos, p,
                rateBitsPerSecond, queueLimitBytes);
    }

    public Impairments withRate(long bitsPerSecond) {
        return new Impairments(loss, delayNanos, jitterNanos, duplicate, reorder, reorderDelayNanos, corrupt,
                bitsPerSecond, queueLimitBytes);
    }

    public Impairments withQueueLimit(int bytes) {
        return new Impairments(loss, delayNanos, jitterNanos, duplicate, reorder, reorderDelayNanos, corrupt,
                rateBitsPerSecond, bytes);
    }

    private static final Set<String> KEYS = Set.of("loss", "delay", "jitter", "duplicate", "reorder",
            "reorder_delay", "corrupt", "rate", "queue");

    /**
     * Reads impairments as a topology file writes them, e.g. {@code {delay: 2ms, jitter: 500us,
     * loss: 0.01, duplicate: 1%, reorder: 0.05, reorder_delay: 3ms, corrupt: 0.001, rate: 10mbit,
     * queue: 64kb}}. Probabilities are numbers in [0, 1] or percentages; durations need a unit
     * (ns, us, ms, s); rates are bits/s with an optional unit (bit, kbit, mbit, gbit); queue sizes
     * are bytes with an optional unit (b, kb, mb; k = 1024). Keys not given keep their defaults.
     *
     * @throws IllegalArgumentException naming the key and the reason
     */
    public static Impairments fromMap(Map<String, ?> spec) {
        Impairments r = NONE;
        for (Map.Entry<String, ?> e : new LinkedHashMap<String, Object>(spec).entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            Object v = e.getValue();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown impairment '" + e.getKey() + "' (known: loss, delay, "
                        + "jitter, duplicate, reorder, reorder_delay, corrupt, rate, queue)");
            }
            try {
                r = switch (key) {
                    case "loss" -> r.withLoss(parseProbability(v));
                    case "delay" -> r.withDelay(Duration.ofNanos(parseDuration(v)));
                    case "jitter" -> r.withJitter(Duration.ofNanos(parseDuration(v)));
                    case "duplicate" -> r.withDuplicate(parseProbability(v));
                    case "reorder" -> r.withReorder(parseProbability(v), Duration.ofNanos(r.reorderDelayNanos));
                    case "reorder_delay" -> r.withReorder(r.reorder, Duration.ofNanos(parseDuration(v)));
                    case "corrupt" -> r.withCorrupt(parseProbability(v));
                    case "rate" -> r.withRate(parseRate(v));
                    case "queue" -> r.withQueueLimit(parseBytes(v));
                    default -> throw new AssertionError(key);
                };
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return r;
    }

    private static final Pattern NUMBER_UNIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\s*([a-zA-Z%/]*)\\s*");

    static double parseProbability(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        Matcher m = match(v, "a probability (e.g. 0.01 or 1%)");
        double d = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "" -> d;
            case "%" -> d / 100.0;
            default -> throw new IllegalArgumentException("'" + v + "' is not a probability (e.g. 0.01 or 1%)");
        };
    }

    static long parseDuration(Object v) {
        if (v instanceof Number n && n.doubleValue() == 0) {
            return 0;
        }
        Matcher m = match(v, "a duration (e.g. 2ms, 500us, 1s)");
        double d = Double.parseDouble(m.group(1));
        double unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> throw new IllegalArgumentException("'" + v + "' is not a duration (e.g. 2ms, 500us, 1s)");
        };
        return Math.round(d * unit);
    }

    static long parseRate(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        Matcher m = match(v, "a rate in bits/s (e.g. 10mbit, 1gbit, 64000)");
        double d = Double.parseDouble(m.group(1));
        String u = m.group(2).toLowerCase(Locale.ROOT);
        if (u.endsWith("/s")) {
            u = u.substring(0, u.length() - 2);
        }
        double unit = switch (u) {
            case "", "bit" -> 1;
            case "kbit" -> 1e3;
            case "mbit" -> 1e6;
            case "gbit" -> 1e9;
            default -> throw new IllegalArgumentException("'" + v + "' is not a rate in bits/s (e.g. 10mbit, 1gbit, 64000)");
        };
        return Math.round(d * unit);
    }

    static int parseBytes(Object v) {
        if (v instanceof Number n) {
            return Math.toIntExact(n.longValue());
        }
        Matcher m = match(v, "a size in bytes (e.g. 65536, 64kb)");
        double d = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> 1024;
            case "m", "mb", "mib" -> 1024 * 1024;
            default -> throw new IllegalArgumentException("'" + v + "' is not a size in bytes (e.g. 65536, 64kb)");
        };
        return Math.toIntExact(Math.round(d * unit));
    }

    private static Matcher match(Object v, String what) {
        Matcher m = NUMBER_UNIT.matcher(String.valueOf(v));
        if (!(v instanceof String) || !m.matches()) {
            throw new IllegalArgumentException("'" + v + "' is not " + what);
        }
        return m;
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
        }
    }

    private static void nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + v);
        }
    }
}
