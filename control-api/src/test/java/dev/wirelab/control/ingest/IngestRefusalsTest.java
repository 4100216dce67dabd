package dev.wirelab.control.ingest;

import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.netstack.trace.TraceEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: one bad string or one refused row never takes its batch with it. Real PostgreSQL; the
 * rows are queued before the pipeline starts, so they are written as one batch.
 */
class IngestRefusalsTest {

    static TraceDb db;
    static DataSource ds;

    @BeforeAll
    static void database() throws Exception {
        db = new TraceDb("pg-ingest-refusals");
        ds = db.ds;
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    static long newRun(String lab) throws SQLException {
        return db.newRun(lab);
    }

    static long count(String sql) throws SQLException {
        return db.count(sql);
    }

    static String string(String sql) throws SQLException {
        return db.string(sql);
    }

    static byte[] frame(int i) {
        return TraceDb.frame(i);
    }

    @Test
    void nulsAndOtherAwkwardTextAreStoredAndTheirNeighboursToo() throws Exception {
        long run = newRun("nul");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        IngestPipeline ingest = new IngestPipeline(ds, FrameDecoder.standard(), IngestPipeline.Spooling.temporary(), 1000, Duration.ofMillis(200),
                metrics, false);
        try {
            RunTrace t = ingest.open(run);
            for (int i = 0; i < 10; i++) {
                t.frame(i, "lan", "pc1:eth0", frame(i));
            }
            // The exact command, and text that is not plain ASCII around COPY's escapes.
            t.event(new TraceEvent(1, "pc1", "app", "exec", Map.of("command", "ping -c 1 a\u0000b")));
            t.event(new TraceEvent(2, "p\u0000c1", "a\tpp", "Grüße\tund\\\u0000", Map.of("k\u0000ey", "ü\u0000")));
            for (int i = 10; i < 20; i++) {
                t.frame(i, "l\u0000an", "pc1:eth0", frame(i));
            }
            ingest.start();
            assertThat(ingest.awaitDrained(t, Duration.ofSeconds(30))).isTrue();
            assertThat(t.counts().framesStored()).isEqualTo(20);
            assertThat(t.counts().eventsStored()).isEqualTo(2);
            assertThat(t.counts().framesDropped() + t.counts().eventsDropped()).isZero();
            assertThat(string("SELECT detail->>'command' FROM events WHERE run_id = " + run + " AND seq = 0"))
                    .isEqualTo("ping -c 1 a\u2400b");
            assertThat(string("SELECT node || '|' || layer || '|' || kind || '|' || detail::text FROM events WHERE run_id = "
                    + run + " AND seq = 1")).isEqualTo("p\u2400c1|a\tpp|Grüße\tund\\\u2400|{\"k\u2400ey\": \"ü\u2400\"}");
            assertThat(count("SELECT count(*) FROM frames WHERE run_id = " + run + " AND segment = 'l\u2400an'")).isEqualTo(10);
            assertThat(metrics.get("wirelab.ingest.rows.rejected").functionCounter().count()).isZero();
        } finally {
            ingest.close();
        }
    }

    @Test
    void aRowTheDatabaseRefusesIsSetAsideAloneAndTheRestOfItsBatchIsStored() throws Exception {
        long kept = newRun("kept");
        long gone = newRun("gone");
        // The refused rows: their run's frame partition is gone (as when a run is deleted while its
        // rows are on their way), so PostgreSQL finds no partition for them.
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE frames_r" + gone);
        }
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        IngestPipeline ingest = new IngestPipeline(ds, FrameDecoder.standard(), IngestPipeline.Spooling.temporary(), 1000, Duration.ofMillis(200),
                metrics, false);
        try {
            RunTrace a = ingest.open(kept);
            RunTrace b = ingest.open(gone);
            for (int i = 0; i < 100; i++) {
                a.frame(i, "lan", "pc1:eth0", frame(i));
                if (i % 25 == 7) {
                    b.frame(i, "lan", "pc9:eth0", frame(i));
                }
                a.event(new TraceEvent(i, "pc1", "ip", "sent", Map.of("i", i)));
            }
            b.event(new TraceEvent(0, "pc9", "ip", "sent", Map.of()));
            ingest.start();
            assertThat(ingest.awaitDrained(a, Duration.ofSeconds(60))).isTrue();
            assertThat(ingest.awaitDrained(b, Duration.ofSeconds(60))).isTrue();

            assertThat(a.counts().framesStored()).isEqualTo(100);
            assertThat(a.counts().eventsStored()).isEqualTo(100);
            assertThat(a.counts().framesDropped() + a.counts().eventsDropped()).isZero();
            assertThat(count("SELECT count(*) FROM frames WHERE run_id = " + kept)).isEqualTo(100);
            assertThat(count("SELECT count(*) FROM events WHERE run_id = " + kept)).isEqualTo(100);
            // b's event has its partition and is stored; its four frames are set aside, each alone.
            assertThat(b.counts().eventsStored()).isEqualTo(1);
            assertThat(b.counts().framesDropped()).isEqualTo(4);
            assertThat(metrics.get("wirelab.ingest.rows.rejected").functionCounter().count()).isEqualTo(4);
            assertThat(count("SELECT count(*) FROM trace_rejects WHERE run_id = " + gone + " AND kind = 'frame'")).isEqualTo(4);
            assertThat(string("SELECT reason FROM trace_rejects WHERE run_id = " + gone + " LIMIT 1")).contains("partition");
            // What was set aside is the row as it was sent: the frame's bytes are in it.
            assertThat(string("SELECT convert_from(copy_row, 'UTF8') FROM trace_rejects WHERE run_id = " + gone
                    + " ORDER BY seq LIMIT 1")).startsWith(gone + "\t0\t7\tlan\tpc9:eth0\tpc9\t60\t\\\\x0200");
            // The run counters moved with the stored rows only.
            assertThat(count("SELECT frames_stored FROM runs WHERE id = " + kept)).isEqualTo(100);
            assertThat(count("SELECT frames_stored FROM runs WHERE id = " + gone)).isZero();
        } finally {
            ingest.close();
        }
    }
}
