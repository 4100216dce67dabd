package dev.wirelab.control.ingest;

import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The trace sink of one run: numbers frames and events in the run's timelines, shows them to the
 * live listener, and appends them to the run's spool on disk ({@link TraceSpool}), from which
 * ingest takes them at the database's pace. Only what the spool's disk budget cannot take is
 * dropped (counted); what the database committed is counted as stored.
 */
public final class RunTrace implements TraceSink {

    private final long runId;
    private final IngestPipeline pipeline;
    private final TraceSpool spool;
    /** A spool a killed control API left: no new rows, its counters start from what the database holds. */
    private final boolean recovered;
    private final AtomicLong frameSeq = new AtomicLong();
    private final AtomicLong eventSeq = new AtomicLong();
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder eventsDropped = new LongAdder();
    private final AtomicLong framesStored = new AtomicLong();
    private final AtomicLong eventsStored = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    /** Read from the spool by ingest and not yet committed (or given up). */
    final AtomicLong inFlight = new AtomicLong();
    /** Wall-clock ms at which the oldest row not yet committed was captured; 0: none known. */
    volatile long oldestPendingMillis;
    private volatile TraceListener listener;
    private volatile boolean discarded;
    /** Set by ingest when it read the released spool to its end. */
    volatile boolean spoolDrained;
    /** The run ended: once everything in its spool is stored, the pipeline forgets it. */
    private volatile boolean released;

    /** {@code pendingRows}: what a recovered spool holds beyond the position the database has. */
    RunTrace(long runId, IngestPipeline pipeline, TraceSpool spool, boolean recovered, long pendingRows) {
        this.runId = runId;
        this.pending.set(pendingRows);
        this.pipeline = pipeline;
        this.spool = spool;
        this.recovered = recovered;
        if (recovered) {
            released = true;
        }
    }

    public long runId() {
        return runId;
    }

    TraceSpool spool() {
        return spool;
    }

    boolean recovered() {
        return recovered;
    }

    public void setListener(TraceListener l) {
        this.listener = l;
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        long seq = frameSeq.getAndIncrement();
        TraceListener l = listener;
        if (l != null) {
            l.frame(new TraceRow.FrameRow(this, seq, timeNanos, segment, ingressPort, bytes, System.nanoTime()));
        }
        pending.incrementAndGet();
        if (discarded || !spool.appendFrame(seq, timeNanos, segment, ingressPort, bytes)) {
            pending.decrementAndGet();
            framesDropped.increment();
            pipeline.dropped(true);
        }
        pipeline.captured(true);
    }

    @Override
    public void event(TraceEvent event) {
        long seq = eventSeq.getAndIncrement();
        TraceListener l = listener;
        if (l != null) {
            l.event(TraceRow.EventRow.of(this, seq, event, System.nanoTime()));
        }
        spoolEvent(seq, event.timeNanos(), event.node(), event.layer(), event.kind(), pipeline.detailJson(event));
    }

    /**
     * An event whose detail is JSON text already (a node container's, made jsonb-safe by the
     * caller): stored as it is, without a parse here.
     */
    public void event(long timeNanos, String node, String layer, String kind, byte[] detailJson) {
        long seq = eventSeq.getAndIncrement();
        TraceListener l = listener;
        if (l != null) {
            l.event(new TraceRow.EventRow(this, seq, timeNanos, node, layer, kind, null, detailJson, System.nanoTime()));
        }
        spoolEvent(seq, timeNanos, node, layer, kind, detailJson);
    }

    private void spoolEvent(long seq, long timeNanos, String node, String layer, String kind, byte[] detailJson) {
        pending.incrementAndGet();
        if (discarded || !spool.appendEvent(seq, timeNanos, node, layer, kind, detailJson)) {
            pending.decrementAndGet();
            eventsDropped.increment();
            pipeline.dropped(false);
        }
        pipeline.captured(false);
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

    /** Rows in the spool that could not be read back (torn or damaged): counted as dropped. */
    void lostInSpool(long rows) {
        pending.addAndGet(-rows);
    }

    /** Its rows are no longer wanted (the run's lab is being deleted): spooled ones are skipped. */
    public void discard() {
        discarded = true;
    }

    boolean discarded() {
        return discarded;
    }

    /** The run ended; nothing more is appended. */
    void release() {
        spool.seal();
        released = true;
    }

    boolean released() {
        return released;
    }

    /** Counters now. */
    public Counts counts() {
        return new Counts(frameSeq.get(), framesStored.get(), framesDropped.sum(), eventSeq.get(), eventsStored.get(),
                eventsDropped.sum(), pending.get());
    }

    /** Seconds between the capture of the oldest row not yet committed and now; 0 when all is stored. */
    public double lagSeconds() {
        long oldest = oldestPendingMillis;
        return pending.get() == 0 && inFlight.get() == 0 || oldest == 0 ? 0 : (System.currentTimeMillis() - oldest) / 1000.0;
    }

    /**
     * @param framesCaptured frames the bus handed over (the next frame's seq)
     * @param framesStored   frames committed to the database (acknowledged)
     * @param framesDropped  frames counted and dropped (spool full, or given up)
     * @param pending        frames and events in the spool or being written
     */
    public record Counts(long framesCaptured, long framesStored, long framesDropped, long eventsCaptured,
                         long eventsStored, long eventsDropped, long pending) {
    }
}
