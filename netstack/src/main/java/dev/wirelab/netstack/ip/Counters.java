package dev.wirelab.netstack.ip;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-protocol counters of one node, gVisor-style: {@code <protocol>.<counter>} such as
 * {@code ipv4.received}, {@code ipv4.forwarded}, and drops as {@code <protocol>.dropped.<reason>}.
 * Written on the node's loop, readable from any thread.
 */
public final class Counters {

    private final Map<String, LongAdder> values = new ConcurrentHashMap<>();
    /** protocol -> counter -> the adder stored under "protocol.counter": no string is built per packet. */
    private final Map<String, Map<String, LongAdder>> byProtocol = new ConcurrentHashMap<>();

    public void increment(String protocol, String counter) {
        Map<String, LongAdder> m = byProtocol.get(protocol);
        if (m == null) {
            m = byProtocol.computeIfAbsent(protocol, p -> new ConcurrentHashMap<>());
        }
        LongAdder a = m.get(counter);
        if (a == null) {
            a = m.computeIfAbsent(counter, c -> adder(protocol + "." + c));
        }
        a.increment();
    }

    /**
     * The adder behind {@code <protocol>.<counter>}, resolved once and kept by per-packet code:
     * counting is then one uncontended add, with no lookup.
     */
    public LongAdder counter(String protocol, String counter) {
        return adder(protocol + "." + counter);
    }

    private LongAdder adder(String key) {
        LongAdder a = values.get(key);
        return a != null ? a : values.computeIfAbsent(key, k -> new LongAdder());
    }

    public void add(String key, long n) {
        adder(key).add(n);
    }

    /** Counts one dropped packet of {@code protocol} for {@code reason} (a short snake_case word). */
    public void drop(String protocol, String reason) {
        add(protocol + ".dropped." + reason, 1);
    }

    public long get(String key) {
        LongAdder a = values.get(key);
        return a == null ? 0 : a.sum();
    }

    /** Sum of all drop counters of {@code protocol}. */
    public long dropped(String protocol) {
        String prefix = protocol + ".dropped.";
        long n = 0;
        for (var e : values.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** A sorted copy of every counter that counted something (resolved but unused ones are left out). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        values.forEach((k, v) -> {
            long n = v.sum();
            if (n != 0) {
                out.put(k, n);
            }
        });
        return out;
    }
}
