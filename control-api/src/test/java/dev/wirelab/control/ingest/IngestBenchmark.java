package dev.wirelab.control.ingest;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CapturedFrame;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ingest throughput (a benchmark, not a test; run it with {@code bench/ingest-bench.sh}): frames/s
 * through the whole pipeline (TraceSink -> bounded queue -> writer thread: decode, COPY in batches,
 * commit, acknowledge) beside a raw JDBC COPY of the same rows, already decoded and formatted, in the
 * same batches, into the same table, on the same embedded PostgreSQL, in the same JVM. The frames
 * are real: captured from the three-segments example (ping, traceroute), cycled up to the count.
 * Rounds alternate which side goes first, so neither always runs on a warmer (or more bloated) database. Arguments: [frames] [rounds].
 */
public final class IngestBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = 5000;
        List<CapturedFrame> sample = sampleFrames();
        System.out.printf(Locale.ROOT, "ingest bench: %d frames per round (cycled from %d captured, mean %.0f bytes), "
                + "batches of %d, %d rounds%n", n, sample.size(),
                sample.stream().mapToInt(f -> f.bytes().length).average().orElse(0), batch, rounds);
        Path dir = Files.createTempDirectory("wirelab-bench-pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").start()) {
            HikariConfig c = new HikariConfig();
            c.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
            c.setMaximumPoolSize(4);
            try (HikariDataSource ds = new HikariDataSource(c)) {
                Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
                FrameDecoder decoder = FrameDecoder.standard();
                long run = 0;
                double sumPipe = 0;
                double sumRaw = 0;
                for (int r = 1; r <= rounds; r++) {
                    double raw;
                    double pipe;
                    if (r % 2 == 1) {
                        raw = raw(ds, decoder, sample, n, batch, ++run);
                        pipe = pipeline(ds, decoder, sample, n, batch, ++run);
                    } else {
                        pipe = pipeline(ds, decoder, sample, n, batch, ++run);
                        raw = raw(ds, decoder, sample, n, batch, ++run);
                    }
                    sumPipe += pipe;
                    sumRaw += raw;
                    System.out.printf(Locale.ROOT, "round %d: pipeline %,.0f frames/s   raw COPY %,.0f frames/s   ratio %.0f%%%n",
                            r, pipe, raw, 100 * pipe / raw);
                }
                System.out.printf(Locale.ROOT, "mean:    pipeline %,.0f frames/s   raw COPY %,.0f frames/s   ratio %.0f%% "
                        + "(target >= 80%%)%n", sumPipe / rounds, sumRaw / rounds, 100 * sumPipe / sumRaw);
                // The cost of durability (the control API's default): the pipeline with fsync and
                // synchronous commit on beside both off, alternating, on the same server.
                double sumDurable = 0;
                double sumFast = 0;
                for (int r = 1; r <= rounds; r++) {
                    boolean durableFirst = r % 2 == 0;
                    double first = durability(ds, durableFirst, decoder, sample, n, batch, ++run);
                    double second = durability(ds, !durableFirst, decoder, sample, n, batch, ++run);
                    double durable = durableFirst ? first : second;
                    double fast = durableFirst ? second : first;
                    sumDurable += durable;
                    sumFast += fast;
                    System.out.printf(Locale.ROOT, "round %d: durable %,.0f frames/s   fsync off %,.0f frames/s   ratio %.0f%%%n",
                            r, durable, fast, 100 * durable / fast);
                }
                System.out.printf(Locale.ROOT, "mean:    durable %,.0f frames/s   fsync off %,.0f frames/s   ratio %.0f%%%n",
                        sumDurable / rounds, sumFast / rounds, 100 * sumDurable / sumFast);
            }
        }
    }

    /** The pipeline with fsync and synchronous commit both on (durable) or both off. */
    static double durability(HikariDataSource ds, boolean durable, FrameDecoder decoder, List<CapturedFrame> sample,
                             int n, int batch, long run) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            String v = durable ? "on" : "off";
            st.execute("ALTER SYSTEM SET fsync = " + v);
            st.execute("ALTER SYSTEM SET synchronous_commit = " + v);
            st.execute("SELECT pg_reload_conf()");
        }
        Thread.sleep(200); // the reload reaches every backend
        ds.getHikariPoolMXBean().softEvictConnections();
        return pipeline(ds, decoder, sample, n, batch, run);
    }

    /** Real frames: the three-segments example, pings and a traceroute, in virtual time. */
    static List<CapturedFrame> sampleFrames() throws Exception {
        String yaml = Files.readString(Path.of("examples", "three-segments.yaml"));
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual())) {
            lab.run("pc1", "ping -c 50 -i 0.05 10.0.2.10");
            lab.run("pc2", "ping -c 20 -s 1200 10.0.1.10");
            lab.run("pc1", "traceroute -n 10.0.2.10");
            return lab.trace().frames();
        }
    }

    static void newRun(HikariDataSource ds, long run) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO labs (name, source, source_format, topology) VALUES ('bench" + run + "', '', 'yaml', '{}')");
            st.execute("INSERT INTO runs (lab_id, status, time_mode, seed) SELECT id, 'stopped', 'virtual', 1 FROM labs "
                    + "WHERE name = 'bench" + run + "' RETURNING id");
            st.execute("CREATE TABLE frames_r" + run + " PARTITION OF frames FOR VALUES IN (" + run + ")");
            st.execute("CREATE TABLE events_r" + run + " PARTITION OF events FOR VALUES IN (" + run + ")");
        }
    }

    /** Frames through TraceSink -> queue -> writer; time until the last one is acknowledged. */
    static double pipeline(HikariDataSource ds, FrameDecoder decoder, List<CapturedFrame> sample, int n, int batch, long run)
            throws Exception {
        newRun(ds, run);
        IngestPipeline p = new IngestPipeline(ds, decoder, IngestPipeline.Spooling.temporary(), batch, Duration.ofSeconds(1), null);
        try {
            RunTrace t = p.open(run);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                CapturedFrame f = sample.get(i % sample.size());
                t.frame(f.timeNanos() + i, f.segment(), f.ingressPort(), f.bytes());
            }
            while (t.counts().framesStored() + t.counts().framesDropped() < n) {
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (t.counts().framesDropped() > 0) {
                throw new IllegalStateException("dropped " + t.counts().framesDropped() + " frames");
            }
            return n / seconds;
        } finally {
            p.close();
        }
    }

    /** The same rows, decoded and formatted beforehand (not timed), copied in the same batches. */
    static double raw(HikariDataSource ds, FrameDecoder decoder, List<CapturedFrame> sample, int n, int batch, long run)
            throws Exception {
        newRun(ds, run);
        List<byte[]> chunks = rawChunks(decoder, sample, n, batch, run);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long start = System.nanoTime();
            for (byte[] chunk : chunks) {
                CopyIn in = copy.copyIn("COPY frames (" + IngestPipeline.FRAME_COLUMNS + ") FROM STDIN (FORMAT binary)");
                for (int off = 0; off < chunk.length; off += 1 << 16) {
                    in.writeToCopy(chunk, off, Math.min(1 << 16, chunk.length - off));
                }
                in.endCopy();
                c.commit();
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The frames as the pipeline would send them: binary COPY, in batches (formatted beforehand, not timed). */
    static List<byte[]> rawChunks(FrameDecoder decoder, List<CapturedFrame> sample, int n, int batch, long run) {
        IngestPipeline dummy = new IngestPipeline(null, decoder, IngestPipeline.Spooling.temporary(), 1,
                Duration.ofSeconds(1), null, false);
        RunTrace trace = dummy.open(run);
        List<byte[]> chunks = new ArrayList<>();
        CopyBinary bin = new CopyBinary();
        bin.reset();
        for (int i = 0; i < n; i++) {
            CapturedFrame f = sample.get(i % sample.size());
            TraceSpool.Record rec = new TraceSpool.Record(TraceSpool.FRAME, i, f.timeNanos() + i, 0, f.segment(),
                    f.ingressPort(), null, f.bytes(), new TraceSpool.Position(1, 0));
            IngestPipeline.encodeFrame(bin, new IngestPipeline.SpooledRow(trace, rec), decoder.summarize(f.bytes()));
            if ((i + 1) % batch == 0 || i == n - 1) {
                chunks.add(bin.finish());
                bin.reset();
            }
        }
        dummy.close();
        return chunks;
    }
}
