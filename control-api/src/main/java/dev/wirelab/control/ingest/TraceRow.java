package dev.wirelab.control.ingest;

import dev.wirelab.netstack.trace.TraceEvent;

import java.util.Map;

/** A frame or an event on its way to the database, numbered in its run's timeline. */
public sealed interface TraceRow permits TraceRow.FrameRow, TraceRow.EventRow {

    RunTrace run();

    long seq();

    /** {@link System#nanoTime()} when it was captured (for the ingest lag). */
    long capturedAt();

    record FrameRow(RunTrace run, long seq, long timeNanos, String segment, String ingressPort, byte[] bytes,
                    long capturedAt) implements TraceRow {

        /** The node part of a port name ("pc1:eth0" -> "pc1"); an external port is its own node. */
        public String ingressNode() {
            int colon = ingressPort.indexOf(':');
            return colon < 0 ? ingressPort : ingressPort.substring(0, colon);
        }
    }

    /**
     * An event; its detail is either a map (made in this JVM) or JSON text (as a node container
     * sent it, parsed only if someone shows it live): exactly one of {@code detail} and
     * {@code detailJson} is set.
     */
    record EventRow(RunTrace run, long seq, long timeNanos, String node, String layer, String kind,
                    Map<String, Object> detail, byte[] detailJson, long capturedAt) implements TraceRow {

        static EventRow of(RunTrace run, long seq, TraceEvent e, long capturedAt) {
            return new EventRow(run, seq, e.timeNanos(), e.node(), e.layer(), e.kind(), e.detail(), null, capturedAt);
        }
    }
}
