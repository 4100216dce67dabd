package dev.wirelab.control.ingest;

import dev.wirelab.control.decode.FrameColumns;
import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.nodeservice.protocol.NulSafeJson;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Frames and events from the bus to PostgreSQL, never dropped for lag: each run's rows are appended
 * to its spool on disk ({@link TraceSpool}) by the bus's and nodes' threads; a formatter thread
 * reads the spools in batches, decodes the frames' summary columns and formats binary COPY; a writer
 * thread writes each batch with COPY (frames, then events, then each run's stored counters and
 * spool position) in one transaction. The two stages overlap: the next batch is decoded while the
 * database takes this one. Rows are acknowledged (counted as stored) only after that transaction
 * committed, so a stored count never exceeds what the database holds; a row is dropped (counted)
 * only when the spools' disk budget is used up.
 *
 * <p>While the database is slow or away, the spool grows (the status and metrics show the lag) and
 * the writer retries its batch with backoff (up to {@code retryMax} between attempts), taking a
 * fresh connection each time. After a failure whose outcome is unknown (the connection broke around
 * the commit), the writer first asks whether the batch is already there, so a retry never stores a
 * row twice. After a kill -9, the next start finds the spools left in its directory and ingests them
 * from the position the database holds for each run (the same transaction moved both).
 *
 * <p>Every text is formatted so the database can store it whatever its characters (see
 * {@link CopyBinary}; NULs in event details too). A batch the database still refuses for its
 * content (not a connection problem; e.g. a row of a run whose partition was just dropped) is split
 * in halves and each half written on its own, down to single rows, so the refused row alone is set
 * aside: kept in {@code trace_rejects} with the reason (as a readable COPY text line), counted as
 * dropped in its run and in {@code wirelab.ingest.rows.rejected}, and never takes its neighbours
 * with it.
 */
public final class IngestPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);
    static final String FRAME_COLUMNS = "run_id, seq, time_ns, segment, ingress_port, ingress_node, length, bytes, "
            + "protocols, top_protocol, src_mac, dst_mac, src_ip, dst_ip, ip_proto, src_port, dst_port, flags, "
            + "conversation, info";
    static final int FRAME_FIELDS = 20;
    static final String EVENT_COLUMNS = "run_id, seq, time_ns, node, layer, kind, detail";
    static final int EVENT_FIELDS = 7;
    private static final int CHUNK = 1 << 16;

    /**
     * Where the spools live and how much disk they may take together. Each database gets its own
     * subdirectory (named by its installation id), so a spool is never ingested into another database.
     */
    public record Spooling(Path root, long budgetBytes) {
        /** A fresh temporary directory (tests, benchmarks). */
        public static Spooling temporary() {
            try {
                return new Spooling(Files.createTempDirectory("wirelab-spool"), 4L << 30);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final DataSource dataSource;
    private final FrameDecoder decoder;
    private final int batchRows;
    private final long retryMaxNanos;
    private final Path spoolRoot;
    private final TraceSpool.Budget budget;
    private final Map<Long, RunTrace> runs = new ConcurrentHashMap<>();
    /** Event details as jsonb takes them whatever their strings hold (see {@link NulSafeJson}). */
    private final JsonMapper json = NulSafeJson.mapper();
    private final CopyBinary frameBin = new CopyBinary();
    private final CopyBinary eventBin = new CopyBinary();
    /** The writer's own buffers, for the halves of a refused batch. */
    private final CopyBinary apartFrames = new CopyBinary();
    private final CopyBinary apartEvents = new CopyBinary();
    /** Formatted batches between the two stages: at most two, so memory stays bounded. */
    private final ArrayBlockingQueue<Prepared> prepared = new ArrayBlockingQueue<>(2);
    private final Thread formatter;
    private final Thread writer;
    private volatile boolean formatterDone;
    private volatile boolean stopping;
    private volatile boolean databaseUp = true;
    private volatile String lastError;
    private volatile long lastLagMillis;
    private Connection connection;

    // metrics
    private final LongAdder framesStored = new LongAdder();
    private final LongAdder eventsStored = new LongAdder();
    private final LongAdder framesDropped = new LongAdder();
    private final LongAdder eventsDropped = new LongAdder();
    private final LongAdder framesCaptured = new LongAdder();
    private final LongAdder eventsCaptured = new LongAdder();
    private final LongAdder recoveredRows = new LongAdder();
    private final AtomicLong batches = new AtomicLong();
    private final LongAdder rowsRejected = new LongAdder();
    private final RateWindow frameRate = new RateWindow();
    private final RateWindow eventRate = new RateWindow();
    private final RateWindow captureRate = new RateWindow();

    public IngestPipeline(DataSource dataSource, FrameDecoder decoder, Spooling spooling, int batchRows, Duration retryMax,
                          MeterRegistry metrics) {
        this(dataSource, decoder, spooling, batchRows, retryMax, metrics, 0);
    }

    /** {@code nice}: the OS nice value of the formatting and writing threads ({@link OsPriority}; 0: unchanged). */
    public IngestPipeline(DataSource dataSource, FrameDecoder decoder, Spooling spooling, int batchRows, Duration retryMax,
                          MeterRegistry metrics, int nice) {
        this(dataSource, decoder, spooling, batchRows, retryMax, metrics, true, nice);
    }

    /** {@code start} false: rows wait in the spools until {@link #start()} (a test's way to put rows in one batch). */
    IngestPipeline(DataSource dataSource, FrameDecoder decoder, Spooling spooling, int batchRows, Duration retryMax,
                   MeterRegistry metrics, boolean start) {
        this(dataSource, decoder, spooling, batchRows, retryMax, metrics, start, 0);
    }

    IngestPipeline(DataSource dataSource, FrameDecoder decoder, Spooling spooling, int batchRows, Duration retryMax,
                   MeterRegistry metrics, boolean start, int nice) {
        this.dataSource = dataSource;
        this.decoder = decoder;
        this.batchRows = batchRows;
        this.retryMaxNanos = retryMax.toNanos();
        this.budget = new TraceSpool.Budget(spooling.budgetBytes());
        this.spoolRoot = spooling.root().resolve(dataSource == null ? "no-database" : installationId(dataSource));
        try {
            Files.createDirectories(spoolRoot);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace spool directory " + spoolRoot, e);
        }
        if (dataSource != null) {
            recover();
        }
        if (metrics != null) {
            registerMetrics(metrics);
        }
        formatter = Thread.ofPlatform().name("wirelab-ingest-format").daemon().unstarted(() -> {
            OsPriority.lowerCurrentThread(nice);
            formatLoop();
        });
        writer = Thread.ofPlatform().name("wirelab-ingest").daemon().unstarted(() -> {
            OsPriority.lowerCurrentThread(nice);
            writeLoop();
        });
        if (start) {
            start();
        }
    }

    void start() {
        formatter.start();
        writer.start();
    }

    /** This database's installation id (V2 migration): the name of its spools' directory. */
    private static String installationId(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM installation")) {
            if (!rs.next()) {
                throw new IllegalStateException("the database has no installation row (migration V2)");
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("ingest cannot read the installation id: " + e.getMessage(), e);
        }
    }

    /**
     * The spools an earlier control API left (killed, or stopped while the database lagged): each is
     * read from the position its run's row holds; a spool of a run the database does not have (its
     * lab was deleted) is removed.
     */
    private void recover() {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(spoolRoot)) {
            dirs = s.filter(p -> p.getFileName().toString().matches("run-\\d+")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the trace spool directory " + spoolRoot, e);
        }
        for (Path dir : dirs) {
            long runId = Long.parseLong(dir.getFileName().toString().substring(4));
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT spool_segment, spool_offset FROM runs WHERE id = ?")) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        log.warn("Ingest: removing the spool of run {}, which the database does not have", runId);
                        TraceSpool.deleteTree(dir);
                        continue;
                    }
                    long segment = rs.getLong(1);
                    TraceSpool.Position from = rs.wasNull() ? null : new TraceSpool.Position(segment, rs.getLong(2));
                    long rows = TraceSpool.countFrom(dir, from);
                    TraceSpool spool = TraceSpool.recover(dir, budget, from);
                    runs.put(runId, new RunTrace(runId, this, spool, true, rows));
                    log.info("Ingest: resuming run {}'s spool ({} rows, {} bytes) from {}", runId, rows, spool.bytes(),
                            from == null ? "its start" : "segment " + from.segment() + " offset " + from.offset());
                }
            } catch (SQLException | IOException e) {
                throw new IllegalStateException("ingest cannot recover the spool " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private void registerMetrics(MeterRegistry m) {
        Gauge.builder("wirelab.ingest.frames.rate", this, p -> p.frameRate.rate(System.nanoTime()))
                .description("Frames stored per second (last 5 s)").baseUnit("frames/s").register(m);
        Gauge.builder("wirelab.ingest.events.rate", this, p -> p.eventRate.rate(System.nanoTime()))
                .description("Events stored per second (last 5 s)").baseUnit("events/s").register(m);
        Gauge.builder("wirelab.capture.frames.rate", this, p -> p.captureRate.rate(System.nanoTime()))
                .description("Frames captured on the bus per second (last 5 s)").baseUnit("frames/s").register(m);
        Gauge.builder("wirelab.ingest.lag", this, IngestPipeline::lagSeconds)
                .description("Age of the oldest row not yet committed (or of the last batch's oldest row)")
                .baseUnit("seconds").register(m);
        Gauge.builder("wirelab.ingest.pending.rows", this, p -> p.runs.values().stream()
                        .mapToLong(t -> t.counts().pending()).sum())
                .description("Rows in the spools or being written").register(m);
        Gauge.builder("wirelab.ingest.spool.bytes", budget, TraceSpool.Budget::used)
                .description("Disk the trace spools take").baseUnit("bytes").register(m);
        Gauge.builder("wirelab.ingest.spool.budget", budget, TraceSpool.Budget::limit)
                .description("Disk the trace spools may take (wirelab.ingest.spool-budget)").baseUnit("bytes").register(m);
        Gauge.builder("wirelab.ingest.database.up", this, p -> p.databaseUp ? 1 : 0)
                .description("1 while the last write succeeded").register(m);
        counter(m, "wirelab.ingest.frames.stored", framesStored, "Frames committed to the database");
        counter(m, "wirelab.ingest.events.stored", eventsStored, "Events committed to the database");
        counter(m, "wirelab.ingest.frames.dropped", framesDropped, "Frames dropped and counted (spool full or refused)");
        counter(m, "wirelab.ingest.events.dropped", eventsDropped, "Events dropped and counted (spool full or refused)");
        io.micrometer.core.instrument.FunctionCounter.builder("wirelab.ingest.spool.full", budget, TraceSpool.Budget::refused)
                .description("Rows dropped because the spools' disk budget was used up").register(m);
        counter(m, "wirelab.ingest.recovered", recoveredRows,
                "Rows stored from spools an earlier control API left (killed or stopped while lagging)");
        counter(m, "wirelab.capture.frames", framesCaptured, "Frames captured on the bus");
        counter(m, "wirelab.capture.events", eventsCaptured, "Events captured in nodes");
        counter(m, "wirelab.ingest.rows.rejected", rowsRejected,
                "Rows the database refused alone (set aside in trace_rejects where possible, counted as dropped)");
    }

    private static void counter(MeterRegistry m, String name, LongAdder a, String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, a, LongAdder::sum).description(description).register(m);
    }

    /** The sink of a new run, with an empty spool. */
    public RunTrace open(long runId) {
        return runs.computeIfAbsent(runId, id -> new RunTrace(id, this,
                TraceSpool.create(spoolRoot.resolve("run-" + id), budget), false, 0));
    }

    /** A run whose rows are still on their way (live, or ended with rows in its spool). */
    public RunTrace run(long runId) {
        return runs.get(runId);
    }

    /** The run ended: nothing more comes; once its spool is all stored, it is forgotten and its spool deleted. */
    public void release(long runId) {
        RunTrace t = runs.get(runId);
        if (t != null) {
            t.release();
            finishIfDone(t);
        }
    }

    private void finishIfDone(RunTrace t) {
        boolean done = t.discarded() || t.spoolDrained && t.inFlight.get() == 0 && t.counts().pending() <= 0;
        if (t.released() && done && runs.remove(t.runId(), t)) {
            t.spool().delete();
        }
    }

    void captured(boolean frame) {
        (frame ? framesCaptured : eventsCaptured).increment();
    }

    void dropped(boolean frame) {
        (frame ? framesDropped : eventsDropped).increment();
    }

    /** An event's detail as JSON, NUL-free (see {@link NulSafeEscapes}); a value JSON cannot carry is kept as text. */
    byte[] detailJson(TraceEvent e) {
        try {
            return json.writeValueAsBytes(e.detail());
        } catch (RuntimeException ex) {
            return json.writeValueAsBytes(Map.of("unserializable", String.valueOf(e.detail())));
        }
    }

    /** Waits until every row {@code run} spooled is written or given up, at most {@code timeout}. */
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
    public record Status(boolean databaseUp, String lastError, long pendingRows, long spoolBytes, long spoolBudgetBytes,
                         long spoolFull, double lagSeconds, long framesStored, long eventsStored, long framesDropped,
                         long eventsDropped, long recoveredRows, double framesPerSecond, double eventsPerSecond,
                         long batches) {
    }

    public Status status() {
        long now = System.nanoTime();
        long pending = runs.values().stream().mapToLong(t -> t.counts().pending()).sum();
        return new Status(databaseUp, lastError, pending, budget.used(), budget.limit(), budget.refused(), lagSeconds(),
                framesStored.sum(), eventsStored.sum(), framesDropped.sum(), eventsDropped.sum(), recoveredRows.sum(),
                frameRate.rate(now), eventRate.rate(now), batches.get());
    }

    double lagSeconds() {
        double lag = 0;
        boolean any = false;
        for (RunTrace t : runs.values()) {
            if (t.oldestPendingMillis != 0) {
                lag = Math.max(lag, t.lagSeconds());
                any = true;
            }
        }
        return any ? lag : lastLagMillis / 1000.0;
    }

    // ------------------------------------------------------------------ formatter and writer

    /** A spooled row on its way to the database. */
    record SpooledRow(RunTrace run, TraceSpool.Record rec) {
        boolean frame() {
            return rec.frame();
        }

        long seq() {
            return rec.seq();
        }

        /** The node part of a port name ("pc1:eth0" -> "pc1"); an external port is its own node. */
        String ingressNode() {
            String port = rec.b();
            int colon = port.indexOf(':');
            return colon < 0 ? port : port.substring(0, colon);
        }
    }

    /** A batch decoded and formatted as binary COPY, waiting for (or being retried by) the writer. */
    private record Prepared(List<SpooledRow> rows, byte[] frames, byte[] events, Map<RunTrace, long[]> perRun,
                            Map<RunTrace, TraceSpool.Position> ends, Map<RunTrace, Map<String, long[]>> protocols,
                            Map<RunTrace, Map<String, long[]>> conversations) {
    }

    /**
     * Stage 1: reads the spools in batches (each run its share of every batch, then the rest in
     * turn), decodes the frames' summary columns and formats both tables' COPY data, so the writer
     * never waits for the CPU-bound part while the database works. A spool read to its end has what
     * the bus and nodes buffered written to its file, where the next round reads it.
     */
    private void formatLoop() {
        int turn = 0;
        try {
            while (true) {
                List<SpooledRow> batch = new ArrayList<>(batchRows);
                List<RunTrace> traces = new ArrayList<>(runs.values());
                // Two passes: first each run takes at most its share of the batch, so a quiet run's
                // rows ride in the next batch whatever another run's backlog; then the rest of the
                // batch is filled from the runs that still have rows.
                int share = Math.max(1, batchRows / Math.max(1, traces.size()));
                boolean[] dry = new boolean[traces.size()];
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < traces.size() && batch.size() < batchRows; i++) {
                        int at = (turn + i) % traces.size();
                        int want = pass == 0 ? Math.min(share, batchRows - batch.size()) : batchRows - batch.size();
                        dry[at] = dry[at] || take(traces.get(at), want, batch);
                    }
                }
                turn++;
                if (batch.isEmpty()) { // every spool read dry (and its buffer written out)
                    if (stopping) {
                        break;
                    }
                    Thread.sleep(5);
                    continue;
                }
                prepared.put(format(batch, frameBin, eventBin));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            formatterDone = true;
        }
    }

    /**
     * Moves up to {@code want} of the run's spooled rows into the batch; true when the run has no
     * more rows to read now (read dry, finished or discarded), so the second pass skips it.
     */
    private boolean take(RunTrace t, int want, List<SpooledRow> batch) {
        if (runs.get(t.runId()) != t) {
            return true; // finished meanwhile
        }
        if (t.discarded()) {
            // Its rows are not wanted: what is spooled is skipped (and no longer pending).
            long unread = t.counts().pending() - t.inFlight.get();
            if (unread > 0) {
                t.lostInSpool(unread);
            }
            finishIfDone(t);
            return true;
        }
        boolean released = t.released();
        List<TraceSpool.Record> recs;
        long lostBefore = t.spool().lostBytes();
        try {
            recs = t.spool().read(want);
            if (recs.size() < want) {
                // Read dry: what the run's threads appended since is still in the spool's write
                // buffer. Written out now, not only when every spool is dry, or a quiet run's rows
                // would wait behind another run's backlog.
                t.spool().flush();
                recs.addAll(t.spool().read(want - recs.size()));
            }
        } catch (IOException e) {
            if (t.spool().deleted()) {
                return true;
            }
            log.error("Ingest: cannot read run {}'s spool ({}); its remaining rows are lost", t.runId(), e.getMessage());
            t.lostInSpool(t.counts().pending() - t.inFlight.get());
            t.spoolDrained = true;
            finishIfDone(t);
            return true;
        }
        if (t.spool().lostBytes() > lostBefore) {
            log.warn("Ingest: run {}'s spool had unreadable records; what they held counts as lost", t.runId());
        }
        if (recs.isEmpty()) {
            if (released) {
                t.spoolDrained = true;
                if (t.spool().lostBytes() > 0) {
                    t.lostInSpool(t.counts().pending() - t.inFlight.get());
                }
                finishIfDone(t);
            }
            return true;
        }
        if (t.inFlight.getAndAdd(recs.size()) == 0) {
            t.oldestPendingMillis = recs.get(0).capturedMillis();
        }
        for (TraceSpool.Record r : recs) {
            batch.add(new SpooledRow(t, r));
        }
        return recs.size() < want;
    }

    private Prepared format(List<SpooledRow> batch, CopyBinary frames, CopyBinary events) {
        Map<RunTrace, long[]> perRun = new LinkedHashMap<>();
        Map<RunTrace, TraceSpool.Position> ends = new LinkedHashMap<>();
        Map<RunTrace, Map<String, long[]>> protocols = new LinkedHashMap<>();
        // conversation -> frames, bytes, first and last time, first and last seq
        Map<RunTrace, Map<String, long[]>> conversations = new LinkedHashMap<>();
        frames.reset();
        events.reset();
        for (SpooledRow r : batch) {
            long[] n = perRun.computeIfAbsent(r.run(), k -> new long[2]);
            if (r.frame()) {
                FrameColumns c = decoder.summarize(r.rec().data());
                encodeFrame(frames, r, c);
                Map<String, long[]> counts = protocols.computeIfAbsent(r.run(), k -> new java.util.HashMap<>());
                for (String p : new java.util.HashSet<>(c.protocols())) {
                    counts.computeIfAbsent(p, k -> new long[1])[0]++;
                }
                if (c.conversation() != null) {
                    long t = r.rec().timeNanos();
                    long[] v = conversations.computeIfAbsent(r.run(), k -> new java.util.HashMap<>())
                            .computeIfAbsent(c.conversation(), k -> new long[]{0, 0, t, t, r.seq(), r.seq()});
                    v[0]++;
                    v[1] += r.rec().data().length;
                    v[2] = Math.min(v[2], t);
                    v[3] = Math.max(v[3], t);
                    v[4] = Math.min(v[4], r.seq());
                    v[5] = Math.max(v[5], r.seq());
                }
                n[0]++;
            } else {
                encodeEvent(events, r);
                n[1]++;
            }
            ends.put(r.run(), r.rec().end());
        }
        return new Prepared(batch, frames.rows() == 0 ? new byte[0] : frames.finish(),
                events.rows() == 0 ? new byte[0] : events.finish(), perRun, ends, protocols,
                conversations);
    }

    /** Stage 2: writes each prepared batch in one transaction, retrying while the database is away. */
    private void writeLoop() {
        Prepared batch = null;
        boolean uncertain = false;
        long backoff = 50_000_000L;
        while (true) {
            if (batch == null) {
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
                uncertain = false;
            }
            try {
                Connection c = connection();
                if (uncertain && alreadyStored(c, batch.rows())) {
                    log.info("Ingest: a batch of {} rows had been committed before the connection broke", batch.rows().size());
                } else {
                    write(c, batch);
                }
                acknowledge(batch.rows(), batch.ends());
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
                        log.warn("Ingest: database unreachable ({}); keeping the spools and retrying", e.getMessage());
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
    private static boolean alreadyStored(Connection c, List<SpooledRow> batch) throws SQLException {
        SpooledRow probe = batch.get(0);
        String table = probe.frame() ? "frames" : "events";
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

    private static void copy(CopyManager copy, String table, String columns, byte[] data) throws SQLException {
        if (data.length == 0) {
            return;
        }
        CopyIn in = copy.copyIn("COPY " + table + " (" + columns + ") FROM STDIN (FORMAT binary)");
        // In chunks, so the server parses one while the next is on its way.
        for (int off = 0; off < data.length; off += CHUNK) {
            in.writeToCopy(data, off, Math.min(CHUNK, data.length - off));
        }
        in.endCopy();
    }

    /** Moves a live run's counters; for a recovered run, rows counted lost at the restart become stored again. */
    private static final String LIVE_COUNTERS = "UPDATE runs SET frames_stored = frames_stored + ?, "
            + "events_stored = events_stored + ?, frames_captured = greatest(frames_captured, ?), "
            + "events_captured = greatest(events_captured, ?), frames_dropped = greatest(frames_dropped, ?), "
            + "events_dropped = greatest(events_dropped, ?), spool_segment = ?, spool_offset = ? WHERE id = ?";
    private static final String RECOVERED_COUNTERS = "UPDATE runs SET frames_stored = frames_stored + ?1, "
            + "events_stored = events_stored + ?2, "
            + "frames_dropped = CASE WHEN status = 'interrupted' THEN greatest(frames_dropped - ?1, 0) ELSE frames_dropped END, "
            + "events_dropped = CASE WHEN status = 'interrupted' THEN greatest(events_dropped - ?2, 0) ELSE events_dropped END, "
            + "frames_captured = greatest(frames_captured, frames_stored + ?1 + CASE WHEN status = 'interrupted' "
            + "THEN greatest(frames_dropped - ?1, 0) ELSE frames_dropped END), "
            + "events_captured = greatest(events_captured, events_stored + ?2 + CASE WHEN status = 'interrupted' "
            + "THEN greatest(events_dropped - ?2, 0) ELSE events_dropped END), "
            + "spool_segment = ?3, spool_offset = ?4 WHERE id = ?5";

    private void write(Connection c, Prepared batch) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        copy(copy, "frames", FRAME_COLUMNS, batch.frames());
        copy(copy, "events", EVENT_COLUMNS, batch.events());
        // The runs' stored counters and spool positions move in the same transaction as the rows.
        for (Map.Entry<RunTrace, long[]> e : batch.perRun().entrySet()) {
            RunTrace t = e.getKey();
            TraceSpool.Position end = batch.ends().get(t);
            updateRun(c, t, e.getValue()[0], e.getValue()[1], end);
        }
        if (!batch.protocols().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_protocols (run_id, protocol, frames) "
                    + "VALUES (?, ?, ?) ON CONFLICT (run_id, protocol) DO UPDATE SET frames = run_protocols.frames + EXCLUDED.frames")) {
                for (Map.Entry<RunTrace, Map<String, long[]>> e : batch.protocols().entrySet()) {
                    for (Map.Entry<String, long[]> p : new java.util.TreeMap<>(e.getValue()).entrySet()) {
                        ps.setLong(1, e.getKey().runId());
                        ps.setString(2, p.getKey());
                        ps.setLong(3, p.getValue()[0]);
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        }
        if (!batch.conversations().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_conversations (run_id, conversation, frames, "
                    + "bytes, first_ns, last_ns, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, "
                    + "conversation) DO UPDATE SET frames = run_conversations.frames + EXCLUDED.frames, "
                    + "bytes = run_conversations.bytes + EXCLUDED.bytes, "
                    + "first_ns = least(run_conversations.first_ns, EXCLUDED.first_ns), "
                    + "last_ns = greatest(run_conversations.last_ns, EXCLUDED.last_ns), "
                    + "first_seq = least(run_conversations.first_seq, EXCLUDED.first_seq), "
                    + "last_seq = greatest(run_conversations.last_seq, EXCLUDED.last_seq)")) {
                for (Map.Entry<RunTrace, Map<String, long[]>> e : batch.conversations().entrySet()) {
                    // In key order, so two transactions never lock the same rows in opposite orders.
                    for (Map.Entry<String, long[]> k : new java.util.TreeMap<>(e.getValue()).entrySet()) {
                        long[] v = k.getValue();
                        ps.setLong(1, e.getKey().runId());
                        ps.setString(2, k.getKey());
                        for (int i = 0; i < 6; i++) {
                            ps.setLong(3 + i, v[i]);
                        }
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        }
        c.commit();
    }

    private static void updateRun(Connection c, RunTrace t, long frames, long events, TraceSpool.Position end)
            throws SQLException {
        if (t.recovered()) {
            // JDBC has no numbered parameters: expand ?1..?5 in order of appearance.
            List<Long> args = new ArrayList<>();
            StringBuilder sql = new StringBuilder();
            long[] values = {frames, events, end.segment(), end.offset(), t.runId()};
            String s = RECOVERED_COUNTERS;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '?' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                    args.add(values[s.charAt(i + 1) - '1']);
                    sql.append('?');
                    i++;
                } else {
                    sql.append(ch);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setLong(i + 1, args.get(i));
                }
                ps.executeUpdate();
            }
            return;
        }
        RunTrace.Counts n = t.counts();
        try (PreparedStatement ps = c.prepareStatement(LIVE_COUNTERS)) {
            ps.setLong(1, frames);
            ps.setLong(2, events);
            ps.setLong(3, n.framesCaptured());
            ps.setLong(4, n.eventsCaptured());
            ps.setLong(5, n.framesDropped());
            ps.setLong(6, n.eventsDropped());
            ps.setLong(7, end.segment());
            ps.setLong(8, end.offset());
            ps.setLong(9, t.runId());
            ps.executeUpdate();
        }
    }

    private void acknowledge(List<SpooledRow> batch, Map<RunTrace, TraceSpool.Position> ends) {
        Map<RunTrace, long[]> perRun = new LinkedHashMap<>();
        long oldest = Long.MAX_VALUE;
        for (SpooledRow r : batch) {
            long[] n = perRun.computeIfAbsent(r.run(), k -> new long[2]);
            n[r.frame() ? 0 : 1]++;
            oldest = Math.min(oldest, r.rec().capturedMillis());
        }
        lastLagMillis = Math.max(0, System.currentTimeMillis() - oldest);
        long f = 0;
        long ev = 0;
        for (Map.Entry<RunTrace, long[]> e : perRun.entrySet()) {
            RunTrace t = e.getKey();
            long rows = e.getValue()[0] + e.getValue()[1];
            t.stored(e.getValue()[0], e.getValue()[1]);
            settle(t, rows, ends == null ? null : ends.get(t));
            if (t.recovered()) {
                recoveredRows.add(rows);
            }
            f += e.getValue()[0];
            ev += e.getValue()[1];
        }
        framesStored.add(f);
        eventsStored.add(ev);
        batches.incrementAndGet();
        long now = System.nanoTime();
        frameRate.record(framesStored.sum(), now);
        eventRate.record(eventsStored.sum(), now);
        captureRate.record(framesCaptured.sum(), now);
    }

    /** Rows of {@code t} left the writer (stored or given up): the spool before {@code end} can go. */
    private void settle(RunTrace t, long rows, TraceSpool.Position end) {
        if (t.inFlight.addAndGet(-rows) == 0) {
            t.oldestPendingMillis = 0;
        }
        if (end != null) {
            t.spool().committed(end);
        }
        finishIfDone(t);
    }

    /**
     * Writes a refused batch's rows in halves, each in its own transaction, down to the single rows
     * the database refuses; those are set aside. A part that meets a connection problem waits and
     * is tried again, as a whole batch would be.
     */
    private void writeApart(List<SpooledRow> rows, Exception refusal) {
        if (rows.size() == 1) {
            setAside(rows.get(0), refusal);
            return;
        }
        List<List<SpooledRow>> halves = List.of(rows.subList(0, rows.size() / 2), rows.subList(rows.size() / 2, rows.size()));
        for (List<SpooledRow> half : halves) {
            long backoff = 50_000_000L;
            while (true) {
                Prepared part = format(half, apartFrames, apartEvents);
                try {
                    write(connection(), part);
                    acknowledge(half, part.ends());
                    break;
                } catch (SQLException | RuntimeException e) {
                    closeConnection();
                    if (!isTransient(e)) {
                        writeApart(half, e);
                        break;
                    }
                    if (stopping && Thread.currentThread().isInterrupted()) {
                        return; // still in the spool: read again at the next start
                    }
                    // The outcome of a broken commit is unknown: ask before writing again.
                    try {
                        if (alreadyStored(connection(), half)) {
                            acknowledge(half, part.ends());
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

    /** Keeps a row the database refuses in trace_rejects (its COPY text line and why) and counts it as dropped. */
    private void setAside(SpooledRow row, Exception refusal) {
        rowsRejected.increment();
        boolean frame = row.frame();
        row.run().lost(frame ? 1 : 0, frame ? 0 : 1);
        dropped(frame);
        String why = String.valueOf(refusal.getMessage());
        log.error("Ingest: run {} {} {} refused by the database and set aside: {}", row.run().runId(),
                frame ? "frame" : "event", row.seq(), why);
        CopyText line = new CopyText();
        if (frame) {
            encodeFrameText(line, row, decoder.summarize(row.rec().data()));
        } else {
            encodeEventText(line, row);
        }
        try {
            Connection c = connection();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO trace_rejects (run_id, seq, kind, reason, copy_row) VALUES (?, ?, ?, ?, ?) "
                            + "ON CONFLICT DO NOTHING")) {
                ps.setLong(1, row.run().runId());
                ps.setLong(2, row.seq());
                ps.setString(3, frame ? "frame" : "event");
                ps.setString(4, why.replace('\0', CopyText.NUL_SYMBOL));
                ps.setBytes(5, java.util.Arrays.copyOf(line.buffer(), line.length()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET spool_segment = ?, spool_offset = ? WHERE id = ?")) {
                ps.setLong(1, row.rec().end().segment());
                ps.setLong(2, row.rec().end().offset());
                ps.setLong(3, row.run().runId());
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            // e.g. the run itself is gone: the count is all that is left of the row.
            closeConnection();
            log.warn("Ingest: could not keep the refused row in trace_rejects: {}", e.getMessage());
        }
        settle(row.run(), 1, row.rec().end());
    }

    // ------------------------------------------------------------------ rows

    static void encodeFrame(CopyBinary t, SpooledRow f, FrameColumns c) {
        byte[] bytes = f.rec().data();
        t.row(FRAME_FIELDS);
        t.int8(f.run().runId());
        t.int8(f.seq());
        t.int8(f.rec().timeNanos());
        t.text(f.rec().a());
        t.text(f.rec().b());
        t.text(f.ingressNode());
        t.int4(bytes.length);
        t.bytes(bytes, 0, bytes.length);
        t.textArray(c.protocols());
        t.text(c.topProtocol());
        t.macaddr(c.srcMac());
        t.macaddr(c.dstMac());
        t.inet(c.srcIp());
        t.inet(c.dstIp());
        t.int2(c.ipProtocol());
        t.int4(c.srcPort());
        t.int4(c.dstPort());
        t.text(c.flags());
        t.text(c.conversation());
        t.text(c.info());
    }

    static void encodeEvent(CopyBinary t, SpooledRow e) {
        t.row(EVENT_FIELDS);
        t.int8(e.run().runId());
        t.int8(e.seq());
        t.int8(e.rec().timeNanos());
        t.text(e.rec().a());
        t.text(e.rec().b());
        t.text(e.rec().c());
        t.jsonb(e.rec().data());
    }

    /** The same row as a COPY text line: what trace_rejects keeps, readable. */
    static void encodeFrameText(CopyText t, SpooledRow f, FrameColumns c) {
        t.number(f.run().runId());
        t.number(f.seq());
        t.number(f.rec().timeNanos());
        t.text(f.rec().a());
        t.text(f.rec().b());
        t.text(f.ingressNode());
        t.number(f.rec().data().length);
        t.bytea(f.rec().data());
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

    static void encodeEventText(CopyText t, SpooledRow e) {
        t.number(e.run().runId());
        t.number(e.seq());
        t.number(e.rec().timeNanos());
        t.text(e.rec().a());
        t.text(e.rec().b());
        t.text(e.rec().c());
        t.text(new String(e.rec().data(), java.nio.charset.StandardCharsets.UTF_8));
        t.endRow();
    }

    /**
     * Stops: writes what the spools hold for at most {@code timeout}, then stops both stages. What
     * is left stays in the spools and is ingested at the next start.
     */
    public void close(Duration timeout) {
        stopping = true;
        for (RunTrace t : runs.values()) {
            t.spool().flush();
        }
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
        for (RunTrace t : runs.values()) {
            t.spool().seal();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
