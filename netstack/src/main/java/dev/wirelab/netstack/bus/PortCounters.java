package dev.wirelab.netstack.bus;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of one bus port's counters. {@code rx} is what the bus received from the port
 * (captured frames), {@code tx} what it delivered to the port.
 *
 * @param segment segment name
 * @param port    port name ("node:eth0" or an external port name)
 * @param kind    "memory" or "external"
 * @param drops   drops by reason (every reason present, zero when none)
 */
public record PortCounters(String segment, String port, String kind, long rxFrames, long rxBytes, long txFrames,
                           long txBytes, Map<DropReason, Long> drops) {

    public PortCounters {
        drops = Collections.unmodifiableMap(new EnumMap<>(drops));
    }

    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    public long totalDrops() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
