package dev.wirelab.control.ingest;

import dev.wirelab.control.decode.FrameColumns;
import dev.wirelab.control.decode.FrameDecoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Frames and events from the bus to PostgreSQL: a bounded queue that the bus and nodes offer rows to
 * (never waiting: a full queue means the row is counted as dropped), a formatter thread that takes
 * rows in batches, decodes the frames' summary columns and formats COPY text, and a writer thread
 * that writes each batch with COPY (frames, then events, then the runs' stored counters) in one
 * transaction. The two stages overlap: the next batch is decoded while the database takes this one. Rows are acknowledged
 * (counted as stored) only after that transaction committed, so a stored count never exceeds what
 * the database holds.
 *
 * <p>While the database is slow or away, the writer keeps its batch and retries with backoff (up to
 * {@code retryMax} between attempts), taking a fresh connection each time; the queue absorbs what
 * comes meanwhile up to its bound, and the rest is dropped and counted. After a failure whose
 * outcome is unknown (the connection broke around the commit), the writer first asks whether the
 * batch is already there, so a retry never stores a row twice.
 *
 * <p>Every text is formatted so the database can store it whatever its characters (see
 * {@link CopyText}; NULs in event details too). A batch the database still refuses for its content
 * (not a connection problem; e.g. a row of a run whose partition was just dropped) is split in
 * halves and each half written on its own, down to single rows, so the refused row alone is set
 * aside: kept in {@code trace_rejects} with the reason where it can be, counted as dropped in its
 * run and in {@code wirelab.ingest.rows.rejected}, and never takes its neighbours with it.
 */
public final class IngestPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    static final String FRAME_COLUMNS = "run_id, seq, time_ns, segment, ingress_port, ingress_node, length, bytes, "
            + "protocols, top_protocol, src_mac, dst_mac, src_ip, dst_ip, ip_proto, src_port, dst_port, flags, "
            + "conversation, info";
    static final String EVENT_COLUMNS = "run_id, seq, time_ns, node, layer, kind, detail";
    private static final int CHUNK = 1 << 16;

    private final DataSource dataSource;
    private final FrameDecoder decoder;
    private final ArrayBlockingQueue<TraceRow> queue;
    private final int batchRows;
    private final long retryMaxNanos;
    private final Map<Long, RunTrace> runs = new ConcurrentHashMap<>();
    private final JsonMapper json = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
            .characterEscapes(new NulSafeEscapes()).build()).build();
    private final CopyText frameText = new CopyText();
    private final CopyText eventText = new CopyText();
    /** The writer's own buffers, for the halves of a refused batch. */
    private final CopyText apartFrames = new CopyText();
    private final CopyText apartEvents = new CopyText();
    /** Formatted batches between the two stages: at most two, so memory stays bounded by the queue. */
    private final ArrayBlockingQueue<Prepared> prepared = new ArrayBlockingQueue<>(2);
    private final Thread formatter;
    private final Thread writer;
    private volatile boolean formatterDone;
    private volatile boolean stopping;
    private volatile boolean databaseUp = true;
    private volatile String lastError;
    private volatile long oldestPendingCapturedAt;
    private volatile long lastLagNanos;
    private Connection connection;

    // metrics
    private final LongAdder framesStored = new LongAdder();
    private final LongAdder eventsStored = new LongAdder();
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder eventsDropped = new LongAdder();
    private final LongAdder framesCaptured = new LongAdder();
    private final LongAdder eventsCaptured = new LongAdder();
    private final AtomicLong batches = new AtomicLong();
    private final LongAdder rowsRejected = new LongAdder();
    private final RateWindow frameRate = new RateWindow();
    private final RateWindow eventRate = new RateWindow();
    private final RateWindow captureRate = new RateWindow();

    public IngestPipeline(DataSource dataSource, FrameDecoder decoder, int queueRows, int batchRows, Duration retryMax,
                          MeterRegistry metrics) {
        this(dataSource, decoder, queueRows, batchRows, retryMax, metrics, true);
    }

    /** {@code start} false: rows queue until {@link #start()} (a test's way to put rows in one batch). */
    IngestPipeline(DataSource dataSource, FrameDecoder decoder, int queueRows, int batchRows, Duration retryMax,
                   MeterRegistry metrics, boolean start) {
        this.dataSource = dataSource;
        this.decoder = decoder;
        this.queue = new ArrayBlockingQueue<>(queueRows);
        this.batchRows = batchRows;
        this.retryMaxNanos = retryMax.toNanos();
        if (metrics != null) {
            registerMetrics(metrics);
        }
        formatter = Thread.ofPlatform().name("wirelab-ingest-format").daemon().unstarted(this::formatLoop);
        writer = Thread.ofPlatform().name("wirelab-ingest").daemon().unstarted(this::writeLoop);
        if (start) {
            start();
        }
    }

    void start() {
        formatter.start();
        writer.start();
    }

    /**
     * Writes U+0000 in JSON as U+2400 SYMBOL FOR NUL: jsonb rejects the escape {@code \u0000}
     * (PostgreSQL documentation, section 8.14, "JSON Types"), and one NUL in an exec command must
     * not cost an event.
     */
    private static final class NulSafeEscapes extends tools.jackson.core.io.CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();
        private final tools.jackson.core.SerializableString symbol =
                new tools.jackson.core.io.SerializedString(String.valueOf(CopyText.NUL_SYMBOL));

        NulSafeEscapes() {
            ascii[0] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public tools.jackson.core.SerializableString getEscapeSequence(int ch) {
            return ch == 0 ? symbol : null;
        }
    }

    private void registerMetrics(MeterRegistry m) {
        Gauge.builder("wirelab.ingest.frames.rate", this, p -> p.frameRate.rate(System.nanoTime()))
                .description("Frames stored per second (last 5 s)").baseUnit("frames/s").register(m);
        Gauge.builder("wirelab.ingest.events.rate", this, p -> p.eventRate.rate(System.nanoTime()))
                .description("Events stored per second (last 5 s)").baseUnit("events/s").register(m);
        Gauge.builder("wirelab.capture.frames.rate", this, p -> p.captureRate.rate(System.nanoTime()))
                .description("Frames captured on the bus per second (last 5 s)").baseUnit("frames/s").register(m);
        Gauge.builder("wirelab.ingest.lag", this, p -> p.lagSeconds())
                .description("Age of the oldest row not yet committed (or of the last batch's oldest row)")
                .baseUnit("seconds").register(m);
        Gauge.builder("wirelab.ingest.queue.rows", queue, ArrayBlockingQueue::size)
                .description("Rows waiting for the database").register(m);
        Gauge.builder("wirelab.ingest.database.up", this, p -> p.databaseUp ? 1 : 0)
                .description("1 while the last write succeeded").register(m);
        counter(m, "wirelab.ingest.frames.stored", framesStored, "Frames committed to the database");
        counter(m, "wirelab.ingest.events.stored", eventsStored, "Events committed to the database");
        counter(m, "wirelab.ingest.frames.dropped", framesDropped, "Frames dropped and counted (queue full or refused)");
        counter(m, "wirelab.ingest.events.dropped", eventsDropped, "Events dropped and counted (queue full or refused)");
        counter(m, "wirelab.capture.frames", framesCaptured, "Frames captured on the bus");
        counter(m, "wirelab.capture.events", eventsCaptured, "Events captured in nodes");
        counter(m, "wirelab.ingest.rows.rejected", rowsRejected,
                "Rows the database refused alone (set aside in trace_rejects where possible, counted as dropped)");
    }

    private static void counter(MeterRegistry m, String name, LongAdder a, String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, a, LongAdder::sum).description(description).register(m);
    }

    /** The sink of a run (one per run; numbering continues from what is stored). */
    public RunTrace open(long runId) {
        return runs.computeIfAbsent(runId, id -> new RunTrace(id, this, 0, 0));
    }

    public RunTrace run(long runId) {
        return runs.get(runId);
    }

    /** Forgets a finished run once everything it queued is written (or given up). */
    public void release(long runId) {
        runs.remove(runId);
    }

    boolean offer(TraceRow row) {
        if (row instanceof TraceRow.FrameRow) {
            framesCaptured.increment();
        } else {
            eventsCaptured.increment();
        }
        return !stopping && queue.offer(row);
    }

    void dropped(TraceRow row) {
        if (row instanceof TraceRow.FrameRow) {
            framesDropped.increment();
        } else {
            eventsDropped.increment();
        }
    }

    /** Waits until every row {@code run} queued is written or given up, at most {@code timeout}. */
    public boolean awaitDrained(RunTrace run, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (run.counts().pending() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** State for health and metrics. */
    public record Status(boolean databaseUp, String lastError, int queuedRows, int queueCapacity, double lagSeconds,
                         long framesStored, long eventsStored, long framesDropped, long eventsDropped,
                         double framesPerSecond, double eventsPerSecond, long batches) {
    }

    public Status status() {
        long now = System.nanoTime();
        return new Status(databaseUp, lastError, queue.size(), queue.size() + queue.remainingCapacity(), lagSeconds(),
                framesStored.sum(), eventsStored.sum(), framesDropped.sum(), eventsDropped.sum(),
                frameRate.rate(now), eventRate.rate(now), batches.get());
    }

    double lagSeconds() {
        long oldest = oldestPendingCapturedAt;
        if (oldest != 0) {
            return (System.nanoTime() - oldest) / 1e9;
        }
        TraceRow head = queue.peek();
        if (head != null) {
            return (System.nanoTime() - head.capturedAt()) / 1e9;
        }
        return lastLagNanos / 1e9;
    }

    // ------------------------------------------------------------------ formatter and writer

    /** A batch decoded and formatted as COPY text, waiting for (or being retried by) the writer. */
    private record Prepared(List<TraceRow> rows, byte[] frames, byte[] events, Map<RunTrace, long[]> perRun) {
    }

    /**
     * Stage 1: takes rows in batches, decodes the frames' summary columns and formats both tables'
     * COPY text, so the writer never waits for the CPU-bound part while the database works.
     */
    private void formatLoop() {
        try {
            while (!(stopping && queue.isEmpty())) {
                TraceRow first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<TraceRow> batch = new ArrayList<>(batchRows);
                batch.add(first);
                queue.drainTo(batch, batchRows - 1);
                batch.removeIf(r -> {
                    if (r.run().discarded()) {
                        r.run().lost(r instanceof TraceRow.FrameRow ? 1 : 0, r instanceof TraceRow.EventRow ? 1 : 0);
                        return true;
                    }
                    return false;
                });
                if (!batch.isEmpty()) {
                    prepared.put(format(batch));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            formatterDone = true;
        }
    }

    private Prepared format(List<TraceRow> batch) {
        return format(batch, frameText, eventText);
    }

    private Prepared format(List<TraceRow> batch, CopyText frames, CopyText events) {
        Map<RunTrace, long[]> perRun = new LinkedHashMap<>();
        frames.reset();
        events.reset();
        for (TraceRow r : batch) {
            long[] n = perRun.computeIfAbsent(r.run(), k -> new long[2]);
            if (r instanceof TraceRow.FrameRow f) {
                encodeFrame(frames, f, decoder.summarize(f.bytes()));
                n[0]++;
            } else if (r instanceof TraceRow.EventRow e) {
                encodeEvent(events, e);
                n[1]++;
            }
        }
        return new Prepared(batch, Arrays.copyOf(frames.buffer(), frames.length()),
                Arrays.copyOf(events.buffer(), events.length()), perRun);
    }

    /** Stage 2: writes each prepared batch in one transaction, retrying while the database is away. */
    private void writeLoop() {
        Prepared batch = null;
        boolean uncertain = false;
        long backoff = 50_000_000L;
        while (true) {
            if (batch == null) {
                oldestPendingCapturedAt = 0;
                if (formatterDone && prepared.isEmpty()) {
                    break;
                }
                try {
                    batch = prepared.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (batch == null) {
                    continue;
                }
                oldestPendingCapturedAt = batch.rows().get(0).capturedAt();
                uncertain = false;
            }
            try {
                Connection c = connection();
                if (uncertain && alreadyStored(c, batch.rows())) {
                    log.info("Ingest: a batch of {} rows had been committed before the connection broke", batch.rows().size());
                } else {
                    write(c, batch);
                }
                acknowledge(batch.rows());
                batch = null;
                backoff = 50_000_000L;
                if (!databaseUp) {
                    log.info("Ingest: the database is back; writing again");
                }
                databaseUp = true;
                lastError = null;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                lastError = String.valueOf(e.getMessage());
                if (isTransient(e)) {
                    if (databaseUp) {
                        log.warn("Ingest: database unreachable ({}); keeping {} rows and retrying", e.getMessage(),
                                batch.rows().size());
                    }
                    databaseUp = false;
                    uncertain = true;
                    if (stopping && Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    sleepNanos(backoff);
                    backoff = Math.min(backoff * 2, retryMaxNanos);
                } else {
                    log.warn("Ingest: the database refused a batch of {} rows ({}); writing it in parts to find the "
                            + "row(s) it refuses", batch.rows().size(), e.getMessage());
                    writeApart(batch.rows(), e);
                    batch = null;
                }
            }
        }
        closeConnection();
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Connection errors (SQLState class 08), shutdown/crash (57P), resources (53), I/O: worth a retry. */
    static boolean isTransient(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")
                        || state.equals("40001") || state.equals("40P01"))) {
                    return true;
                }
            }
            if (t instanceof java.io.IOException || t instanceof java.sql.SQLTransientException
                    || t instanceof java.sql.SQLRecoverableException) {
                return true;
            }
        }
        return e instanceof SQLException s && s.getSQLState() == null;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is broken anyway
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // same
            }
            connection = null;
        }
    }

    /** Whether the batch's first row is in the database: a batch commits whole or not at all. */
    private static boolean alreadyStored(Connection c, List<TraceRow> batch) throws SQLException {
        TraceRow probe = batch.get(0);
        String table = probe instanceof TraceRow.FrameRow ? "frames" : "events";
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE run_id = ? AND seq = ?")) {
            ps.setLong(1, probe.run().runId());
            ps.setLong(2, probe.seq());
            try (ResultSet rs = ps.executeQuery()) {
                boolean found = rs.next();
                c.rollback();
                return found;
            }
        }
    }

    private static void copy(CopyManager copy, String table, String columns, byte[] text) throws SQLException {
        if (text.length == 0) {
            return;
        }
        CopyIn in = copy.copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
        // In chunks, so the server parses one while the next is on its way.
        for (int off = 0; off < text.length; off += CHUNK) {
            in.writeToCopy(text, off, Math.min(CHUNK, text.length - off));
        }
        in.endCopy();
    }

    private void write(Connection c, Prepared batch) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        copy(copy, "frames", FRAME_COLUMNS, batch.frames());
        copy(copy, "events", EVENT_COLUMNS, batch.events());
        // The runs' stored counters move in the same transaction as the rows they count.
        try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET frames_stored = frames_stored + ?, "
                + "events_stored = events_stored + ?, frames_captured = greatest(frames_captured, ?), "
                + "events_captured = greatest(events_captured, ?), frames_dropped = greatest(frames_dropped, ?), "
                + "events_dropped = greatest(events_dropped, ?) WHERE id = ?")) {
            for (Map.Entry<RunTrace, long[]> e : batch.perRun().entrySet()) {
                RunTrace.Counts n = e.getKey().counts();
                ps.setLong(1, e.getValue()[0]);
                ps.setLong(2, e.getValue()[1]);
                ps.setLong(3, n.framesCaptured());
                ps.setLong(4, n.eventsCaptured());
                ps.setLong(5, n.framesDropped());
                ps.setLong(6, n.eventsDropped());
                ps.setLong(7, e.getKey().runId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
    }

    private void acknowledge(List<TraceRow> batch) {
        Map<RunTrace, long[]> perRun = new LinkedHashMap<>();
        long oldest = Long.MAX_VALUE;
        for (TraceRow r : batch) {
            long[] n = perRun.computeIfAbsent(r.run(), k -> new long[2]);
            n[r instanceof TraceRow.FrameRow ? 0 : 1]++;
            oldest = Math.min(oldest, r.capturedAt());
        }
        long now = System.nanoTime();
        lastLagNanos = now - oldest;
        long f = 0;
        long ev = 0;
        for (Map.Entry<RunTrace, long[]> e : perRun.entrySet()) {
            e.getKey().stored(e.getValue()[0], e.getValue()[1]);
            f += e.getValue()[0];
            ev += e.getValue()[1];
        }
        framesStored.add(f);
        eventsStored.add(ev);
        batches.incrementAndGet();
        frameRate.record(framesStored.sum(), now);
        eventRate.record(eventsStored.sum(), now);
        captureRate.record(framesCaptured.sum(), now);
    }

    /**
     * Writes a refused batch's rows in halves, each in its own transaction, down to the single rows
     * the database refuses; those are set aside. A part that meets a connection problem waits and
     * is tried again, as a whole batch would be.
     */
    private void writeApart(List<TraceRow> rows, Exception refusal) {
        if (rows.size() == 1) {
            setAside(rows.get(0), refusal);
            return;
        }
        List<List<TraceRow>> halves = List.of(rows.subList(0, rows.size() / 2), rows.subList(rows.size() / 2, rows.size()));
        for (List<TraceRow> half : halves) {
            long backoff = 50_000_000L;
            while (true) {
                try {
                    write(connection(), format(half, apartFrames, apartEvents));
                    acknowledge(half);
                    break;
                } catch (SQLException | RuntimeException e) {
                    closeConnection();
                    if (!isTransient(e)) {
                        writeApart(half, e);
                        break;
                    }
                    if (stopping && Thread.currentThread().isInterrupted()) {
                        giveUp(half);
                        return;
                    }
                    // The outcome of a broken commit is unknown: ask before writing again.
                    try {
                        if (alreadyStored(connection(), half)) {
                            acknowledge(half);
                            break;
                        }
                    } catch (SQLException | RuntimeException again) {
                        closeConnection();
                    }
                    sleepNanos(backoff);
                    backoff = Math.min(backoff * 2, retryMaxNanos);
                }
            }
        }
    }

    /** Keeps a row the database refuses in trace_rejects (its COPY text and why) and counts it as dropped. */
    private void setAside(TraceRow row, Exception refusal) {
        rowsRejected.increment();
        giveUp(List.of(row));
        boolean frame = row instanceof TraceRow.FrameRow;
        String why = String.valueOf(refusal.getMessage());
        log.error("Ingest: run {} {} {} refused by the database and set aside: {}", row.run().runId(),
                frame ? "frame" : "event", row.seq(), why);
        Prepared one = format(List.of(row), apartFrames, apartEvents);
        try {
            Connection c = connection();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO trace_rejects (run_id, seq, kind, reason, copy_row) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, row.run().runId());
                ps.setLong(2, row.seq());
                ps.setString(3, frame ? "frame" : "event");
                ps.setString(4, why.replace('\0', CopyText.NUL_SYMBOL));
                ps.setBytes(5, frame ? one.frames() : one.events());
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            // e.g. the run itself is gone: the count is all that is left of the row.
            closeConnection();
            log.warn("Ingest: could not keep the refused row in trace_rejects: {}", e.getMessage());
        }
    }

    private void giveUp(List<TraceRow> batch) {
        for (TraceRow r : batch) {
            boolean frame = r instanceof TraceRow.FrameRow;
            r.run().lost(frame ? 1 : 0, frame ? 0 : 1);
            dropped(r);
        }
    }

    // ------------------------------------------------------------------ rows

    static void encodeFrame(CopyText t, TraceRow.FrameRow f, FrameColumns c) {
        t.number(f.run().runId());
        t.number(f.seq());
        t.number(f.timeNanos());
        t.text(f.segment());
        t.text(f.ingressPort());
        t.text(f.ingressNode());
        t.number(f.bytes().length);
        t.bytea(f.bytes());
        t.words(c.protocols());
        t.text(c.topProtocol());
        t.text(c.srcMac() == null ? null : c.srcMac().toString());
        t.text(c.dstMac() == null ? null : c.dstMac().toString());
        t.text(c.srcIp() == null ? null : c.srcIp().toString());
        t.text(c.dstIp() == null ? null : c.dstIp().toString());
        t.number(c.ipProtocol());
        t.number(c.srcPort());
        t.number(c.dstPort());
        t.text(c.flags());
        t.text(c.conversation());
        t.text(c.info());
        t.endRow();
    }

    void encodeEvent(CopyText t, TraceRow.EventRow e) {
        t.number(e.run().runId());
        t.number(e.seq());
        t.number(e.event().timeNanos());
        t.text(e.event().node());
        t.text(e.event().layer());
        t.text(e.event().kind());
        String detail;
        try {
            detail = json.writeValueAsString(e.event().detail());
        } catch (RuntimeException ex) {
            // A detail value JSON cannot carry must not cost the batch: keep it as text.
            detail = json.writeValueAsString(java.util.Map.of("unserializable", String.valueOf(e.event().detail())));
        }
        t.text(detail);
        t.endRow();
    }

    /** Stops taking rows, writes what is queued (for at most {@code timeout}), and stops both stages. */
    public void close(Duration timeout) {
        stopping = true;
        try {
            long end = System.nanoTime() + timeout.toNanos();
            formatter.join(Math.max(1, timeout.toMillis()));
            writer.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (formatter.isAlive()) {
            formatter.interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
