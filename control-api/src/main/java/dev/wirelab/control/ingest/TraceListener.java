package dev.wirelab.control.ingest;

/**
 * Sees every frame and event of a run as it is captured, before the database (the live streams).
 * Called on the bus's and nodes' threads: must not block.
 */
public interface TraceListener {

    void frame(TraceRow.FrameRow frame);

    void event(TraceRow.EventRow event);
}
