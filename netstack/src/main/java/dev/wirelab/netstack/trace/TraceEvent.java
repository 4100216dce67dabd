package dev.wirelab.netstack.trace;

import java.util.Map;

/**
 * Something that happened inside a node, on the same timeline as the frames on the bus.
 *
 * @param timeNanos nanoseconds since the lab epoch
 * @param node      node name
 * @param layer     e.g. "arp", "ip", "icmp", "udp", "link", "program"
 * @param kind      e.g. "arp_cache", "route", "drop", "fragment", "reassembly", "syscall"
 * @param detail    ordered key/value detail (values: strings, numbers, booleans)
 */
public record TraceEvent(long timeNanos, String node, String layer, String kind, Map<String, Object> detail) {

    public TraceEvent {
        detail = Details.copyOf(detail);
    }

    /** Builds a detail map from alternating keys and values: {@code details("reason", "ttl", "ttl", 0)}. */
    public static Map<String, Object> details(Object... keyValues) {
        return Details.of(keyValues.clone());
    }

    @Override
    public String toString() {
        return String.format("%12.6f %-8s %-6s %-12s %s", timeNanos / 1e9, node, layer, kind, detail);
    }
}
