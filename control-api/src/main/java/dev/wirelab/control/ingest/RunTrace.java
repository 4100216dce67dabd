package dev.wirelab.control.ingest;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The trace sink of one run: numbers frames and events in the run's timelines, shows them to the
 * live listener, and offers them to the ingest queue without ever waiting. What the queue cannot
 * take is counted as dropped; what the database committed is counted as stored.
 */
public final class RunTrace implements TraceSink {

    private final long runId;
    private final IngestPipeline pipeline;
    private final AtomicLong frameSeq = new AtomicLong();
    private final AtomicLong eventSeq = new AtomicLong();
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder eventsDropped = new LongAdder();
    private final AtomicLong framesStored = new AtomicLong();
    private final AtomicLong eventsStored = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private volatile TraceListener listener;
    private volatile boolean discarded;

    RunTrace(long runId, IngestPipeline pipeline, long framesStored, long eventsStored) {
        this.runId = runId;
        this.pipeline = pipeline;
        this.framesStored.set(framesStored);
        this.eventsStored.set(eventsStored);
    }

    public long runId() {
        return runId;
    }

    public void setListener(TraceListener l) {
        this.listener = l;
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        TraceRow.FrameRow row = new TraceRow.FrameRow(this, frameSeq.getAndIncrement(), timeNanos, segment,
                ingressPort, bytes, System.nanoTime());
        TraceListener l = listener;
        if (l != null) {
            l.frame(row);
        }
        if (discarded || !pipeline.offer(row)) {
            framesDropped.increment();
            pipeline.dropped(row);
        } else {
            pending.incrementAndGet();
        }
    }

    @Override
    public void event(TraceEvent event) {
        TraceRow.EventRow row = new TraceRow.EventRow(this, eventSeq.getAndIncrement(), event, System.nanoTime());
        TraceListener l = listener;
        if (l != null) {
            l.event(row);
        }
        if (discarded || !pipeline.offer(row)) {
            eventsDropped.increment();
            pipeline.dropped(row);
        } else {
            pending.incrementAndGet();
        }
    }

    /**
     * Events a node lost before they reached the control API (a node container's buffer was full):
     * counted as captured and dropped, so the run's counts say what is missing.
     */
    public void lostAtSource(long events) {
        eventSeq.addAndGet(events);
        eventsDropped.add(events);
    }

    /** Called by the writer once rows are committed. */
    void stored(long frames, long events) {
        framesStored.addAndGet(frames);
        eventsStored.addAndGet(events);
        pending.addAndGet(-(frames + events));
    }

    /** Called by the writer for rows it had to give up (a non-transient database error, or a discarded run). */
    void lost(long frames, long events) {
        framesDropped.add(frames);
        eventsDropped.add(events);
        pending.addAndGet(-(frames + events));
    }

    /** Its rows are no longer wanted (the run's lab is being deleted): queued ones are skipped. */
    public void discard() {
        discarded = true;
    }

    boolean discarded() {
        return discarded;
    }

    /** Counters now. */
    public Counts counts() {
        return new Counts(frameSeq.get(), framesStored.get(), framesDropped.sum(), eventSeq.get(), eventsStored.get(),
                eventsDropped.sum(), pending.get());
    }

    /**
     * @param framesCaptured frames the bus handed over (the next frame's seq)
     * @param framesStored   frames committed to the database (acknowledged)
     * @param framesDropped  frames counted and dropped (queue full, or given up)
     * @param pending        frames and events queued or being written
     */
    public record Counts(long framesCaptured, long framesStored, long framesDropped, long eventsCaptured,
                         long eventsStored, long eventsDropped, long pending) {
    }
}
