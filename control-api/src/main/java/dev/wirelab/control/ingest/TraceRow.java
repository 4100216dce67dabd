package dev.wirelab.control.ingest;

import dev.wirelab.netstack.trace.TraceEvent;

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

    record EventRow(RunTrace run, long seq, TraceEvent event, long capturedAt) implements TraceRow {
    }
}
