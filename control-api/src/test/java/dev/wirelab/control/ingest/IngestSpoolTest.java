package dev.wirelab.control.ingest;

import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.netstack.trace.TraceEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spool between capture and PostgreSQL, against a real database: what a killed control API
 * left is ingested by the next one exactly once, with counters that add up; a spool of a run the
 * database does not know is removed; a full disk budget drops and counts, never blocks.
 */
class IngestSpoolTest {

    static TraceDb db;

    @TempDir
    Path spools;

    @BeforeAll
    static void database() throws Exception {
        db = new TraceDb("pg-ingest-spool");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    IngestPipeline pipeline(long budget, SimpleMeterRegistry metrics, boolean start) {
        return new IngestPipeline(db.ds, FrameDecoder.standard(), new IngestPipeline.Spooling(spools, budget), 500,
                Duration.ofMillis(200), metrics, start);
    }

    static void traffic(RunTrace t, int from, int to) {
        for (int i = from; i < to; i++) {
            t.frame(i, "lan", "pc1:eth0", TraceDb.frame(i));
            if (i % 10 == 0) {
                t.event(new TraceEvent(i, "pc1", "arp", "request", Map.of("i", i)));
            }
        }
    }

    @Test
    void whatAKilledControlApiSpooledIsStoredByTheNextExactlyOnce() throws Exception {
        long run = db.newRun("killed");
        IngestPipeline first = pipeline(1L << 30, null, true);
        RunTrace t = first.open(run);
        traffic(t, 0, 3000);
        assertThat(first.awaitDrained(t, Duration.ofSeconds(30))).isTrue();
        first.close(Duration.ZERO); // the run was never released: its spool stays, as after kill -9
        Path runDir = spools.resolve(db.string("SELECT id::text FROM installation")).resolve("run-" + run);
        assertThat(Files.exists(runDir)).isTrue();
        // Roll the database back to "killed after the transaction that stored frame 1499": the rows,
        // the counter and the spool position as that commit left them.
        TraceSpool.Position at = null;
        TraceSpool copy = TraceSpool.recover(runDir, new TraceSpool.Budget(1L << 30), null);
        long events = 0;
        for (TraceSpool.Record r : copy.read(1_000_000)) {
            if (r.frame() && r.seq() == 1499) {
                at = r.end();
                break;
            }
            events += r.frame() ? 0 : 1;
        }
        assertThat(at).isNotNull();
        db.execute("DELETE FROM frames WHERE run_id = " + run + " AND seq >= 1500");
        db.execute("DELETE FROM events WHERE run_id = " + run + " AND seq >= " + events);
        db.execute("UPDATE runs SET frames_stored = 1500, events_stored = " + events + ", spool_segment = " + at.segment()
                + ", spool_offset = " + at.offset() + " WHERE id = " + run);
        // What RunManager's restart does to a run left live: captured - stored counts as dropped.
        db.execute("UPDATE runs SET status = 'interrupted', frames_captured = 3000, frames_dropped = 1500, "
                + "events_captured = 300, events_dropped = 300 - events_stored WHERE id = " + run);

        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        IngestPipeline second = pipeline(1L << 30, metrics, true);
        try {
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (second.run(run) != null) {
                assertThat(System.nanoTime()).isLessThan(end);
                Thread.sleep(10);
            }
            assertThat(db.count("SELECT count(*) FROM frames WHERE run_id = " + run)).isEqualTo(3000);
            assertThat(db.count("SELECT count(DISTINCT seq) FROM frames WHERE run_id = " + run)).isEqualTo(3000);
            assertThat(db.count("SELECT count(*) FROM events WHERE run_id = " + run)).isEqualTo(300);
            assertThat(db.count("SELECT count(*) FROM trace_rejects WHERE run_id = " + run)).isZero();
            assertThat(db.string("SELECT frames_captured || '/' || frames_stored || '/' || frames_dropped || ' ' || "
                    + "events_captured || '/' || events_stored || '/' || events_dropped FROM runs WHERE id = " + run))
                    .isEqualTo("3000/3000/0 300/300/0");
            assertThat(metrics.get("wirelab.ingest.recovered").functionCounter().count()).isEqualTo(1500 + 300 - events);
            assertThat(Files.exists(runDir)).as("the finished spool is deleted").isFalse();
        } finally {
            second.close();
        }
    }

    @Test
    void aSpoolTheDatabaseNeverSawIsIngestedFromItsStartAndTheLossCountersGoBackDown() throws Exception {
        long run = db.newRun("never-written");
        // Rows spooled by a pipeline whose writer never ran (the database was away, then the process died).
        IngestPipeline dead = pipeline(1L << 30, null, false);
        RunTrace t = dead.open(run);
        traffic(t, 0, 2000);
        t.spool().flush();
        // The restart counts everything captured and not stored as dropped.
        db.execute("UPDATE runs SET status = 'interrupted', frames_captured = 2000, frames_dropped = 2000, "
                + "events_captured = 200, events_dropped = 200 WHERE id = " + run);

        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        IngestPipeline next = pipeline(1L << 30, metrics, false);
        try {
            RunTrace r = next.run(run);
            assertThat(r).isNotNull();
            assertThat(r.counts().pending()).isEqualTo(2200);
            next.start();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (next.run(run) != null) {
                assertThat(System.nanoTime()).as("pending %d", r.counts().pending()).isLessThan(end);
                Thread.sleep(10);
            }
            assertThat(db.count("SELECT count(*) FROM frames WHERE run_id = " + run)).isEqualTo(2000);
            assertThat(db.count("SELECT count(DISTINCT seq) FROM frames WHERE run_id = " + run)).isEqualTo(2000);
            assertThat(db.count("SELECT count(*) FROM events WHERE run_id = " + run)).isEqualTo(200);
            assertThat(db.string("SELECT frames_captured || '/' || frames_stored || '/' || frames_dropped || ' ' || "
                    + "events_captured || '/' || events_stored || '/' || events_dropped FROM runs WHERE id = " + run))
                    .isEqualTo("2000/2000/0 200/200/0");
            assertThat(metrics.get("wirelab.ingest.recovered").functionCounter().count()).isEqualTo(2200);
            assertThat(db.count("SELECT spool_segment FROM runs WHERE id = " + run)).isEqualTo(1);
        } finally {
            next.close();
            dead.close(Duration.ZERO);
        }
    }

    /**
     * One run's backlog never hides another run's rows: a quiet run's few rows still sit in its
     * spool's write buffer (under 1 MB) while a busy run keeps every batch full. They used to be
     * written to the file only when all spools were read dry, so a run stopped beside a lagging
     * one read 0 stored frames of 30 after its 15 s wait (CI, FullApplicationTest).
     */
    @Test
    void aQuietRunsRowsAreStoredWhileAnotherRunStillHasABacklog() throws Exception {
        long busy = db.newRun("backlog");
        long quiet = db.newRun("quiet");
        IngestPipeline p = pipeline(1L << 30, null, false);
        try {
            RunTrace b = p.open(busy);
            traffic(b, 0, 60_000);
            RunTrace q = p.open(quiet);
            traffic(q, 0, 30);
            p.start();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (q.counts().framesStored() < 30) {
                assertThat(System.nanoTime()).as("quiet run stored %d of 30", q.counts().framesStored()).isLessThan(end);
                Thread.sleep(2);
            }
            // Each run has its share of every batch: the quiet one rides in the first ones.
            assertThat(b.counts().pending()).as("the busy run's backlog when the quiet run was stored")
                    .isGreaterThan(60_000);
            assertThat(db.count("SELECT count(*) FROM frames WHERE run_id = " + quiet)).isEqualTo(30);
        } finally {
            p.close();
        }
    }

    @Test
    void aSpoolOfARunTheDatabaseDoesNotHaveIsRemoved() throws Exception {
        Path root = spools.resolve(db.string("SELECT id::text FROM installation"));
        Path orphan = root.resolve("run-999999");
        TraceSpool s = TraceSpool.create(orphan, new TraceSpool.Budget(1 << 20));
        s.appendFrame(0, 0, "lan", "pc1:eth0", TraceDb.frame(0));
        s.seal();
        IngestPipeline p = pipeline(1L << 30, null, true);
        try {
            assertThat(p.run(999999)).isNull();
            assertThat(Files.exists(orphan)).isFalse();
        } finally {
            p.close();
        }
    }

    @Test
    void aFullBudgetDropsAndCountsAndTheCountersAddUp() throws Exception {
        long run = db.newRun("budget");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        // Room for a few dozen rows while the writer is not running.
        IngestPipeline p = pipeline(5_000, metrics, false);
        try {
            RunTrace t = p.open(run);
            traffic(t, 0, 1000);
            RunTrace.Counts c = t.counts();
            assertThat(c.framesDropped()).isGreaterThan(900);
            assertThat(metrics.get("wirelab.ingest.spool.full").functionCounter().count())
                    .isEqualTo(c.framesDropped() + c.eventsDropped());
            p.start();
            p.release(run);
            assertThat(p.awaitDrained(t, Duration.ofSeconds(30))).isTrue();
            c = t.counts();
            assertThat(c.framesStored() + c.framesDropped()).isEqualTo(c.framesCaptured()).isEqualTo(1000);
            assertThat(c.eventsStored() + c.eventsDropped()).isEqualTo(c.eventsCaptured()).isEqualTo(100);
            assertThat(db.count("SELECT count(*) FROM frames WHERE run_id = " + run)).isEqualTo(c.framesStored());
            assertThat(metrics.get("wirelab.ingest.spool.bytes").gauge().value()).isLessThanOrEqualTo(5_000);
        } finally {
            p.close();
        }
    }
}
