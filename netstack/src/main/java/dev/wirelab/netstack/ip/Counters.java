package dev.wirelab.netstack.ip;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-protocol counters of one node, gVisor-style: {@code <protocol>.<counter>} such as
 * {@code ipv4.received}, {@code ipv4.forwarded}, and drops as {@code <protocol>.dropped.<reason>}.
 * Written on the node's loop, readable from any thread.
 */
public final class Counters {

    private final Map<String, Counter> values = new ConcurrentHashMap<>();
    /** protocol -> counter -> the adder stored under "protocol.counter": no string is built per packet. */
    private final Map<String, Map<String, Counter>> byProtocol = new ConcurrentHashMap<>();

    public void increment(String protocol, String counter) {
        Map<String, Counter> m = byProtocol.get(protocol);
        if (m == null) {
            m = byProtocol.computeIfAbsent(protocol, p -> new ConcurrentHashMap<>());
        }
        Counter a = m.get(counter);
        if (a == null) {
            a = m.computeIfAbsent(counter, c -> adder(protocol + "." + c));
        }
        a.add(1);
    }

    /**
     * One counter. It has one writer on the per-packet path, the node's loop, which counts with
     * {@link #increment()}: a plain store, no lock-prefixed instruction (the way the kernel keeps
     * per-CPU SNMP counters). Readers on any thread see a recent value. {@link #add(long)} is an
     * atomic add, for counting from anywhere.
     */
    public static final class Counter {
        private static final VarHandle VALUE;

        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long value;

        /** Counts one; only from the owning loop. */
        public void increment() {
            VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
        }

        /** Counts {@code n} more; only from the owning loop. */
        public void increment(long n) {
            VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + n);
        }

        /** Counts {@code n} more, from any thread. */
        public void add(long n) {
            VALUE.getAndAdd(this, n);
        }

        public long sum() {
            return (long) VALUE.getOpaque(this);
        }
    }

    /**
     * The counter behind {@code <protocol>.<counter>}, resolved once and kept by per-packet code
     * on the node's loop: counting is then one store, with no lookup.
     */
    public Counter counter(String protocol, String counter) {
        return adder(protocol + "." + counter);
    }

    private Counter adder(String key) {
        Counter a = values.get(key);
        return a != null ? a : values.computeIfAbsent(key, k -> new Counter());
    }

    public void add(String key, long n) {
        adder(key).add(n);
    }

    /** Counts one dropped packet of {@code protocol} for {@code reason} (a short snake_case word). */
    public void drop(String protocol, String reason) {
        add(protocol + ".dropped." + reason, 1);
    }

    public long get(String key) {
        Counter a = values.get(key);
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
