package dev.wirelab.control.store;

import dev.wirelab.netstack.bus.Impairments;
import dev.wirelab.netstack.lab.topology.Units;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Impairments as the topology file writes them ({@code delay: 5ms, loss: 0.01, rate: 10mbit}), for
 * reading and changing a live run's links over REST; {@link #toMap()} reads back with
 * {@link Impairments#fromMap}.
 */
public record ImpairmentsView(double loss, String delay, String jitter, double duplicate, double reorder,
                              String reorderDelay, double corrupt, String rate, int queue) {

    public static ImpairmentsView of(Impairments i) {
        return new ImpairmentsView(i.loss(), Units.formatDuration(i.delayNanos()), Units.formatDuration(i.jitterNanos()),
                i.duplicate(), i.reorder(), Units.formatDuration(i.reorderDelayNanos()), i.corrupt(),
                i.rateBitsPerSecond() == 0 ? "0" : Units.formatRate(i.rateBitsPerSecond()), i.queueLimitBytes());
    }

    /** The keys {@link Impairments#fromMap} reads. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("delay", delay);
        m.put("jitter", jitter);
        m.put("duplicate", duplicate);
        m.put("reorder", reorder);
        m.put("reorder_delay", reorderDelay);
        m.put("corrupt", corrupt);
        m.put("rate", rate);
        m.put("queue", queue);
        return m;
    }

    String toJson() {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(toMap());
    }
}
