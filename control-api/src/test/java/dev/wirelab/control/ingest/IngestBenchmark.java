package dev.wirelab.control.ingest;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.store.FrameFilter;
import dev.wirelab.control.store.TraceQueries;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CapturedFrame;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Ingest throughput and the index design (a benchmark, not a test; run it with
 * {@code bench/ingest-bench.sh}), all in one JVM on one embedded PostgreSQL with durable commits
 * (fsync and synchronous commit on, as the control API runs it):
 * <ol>
 *   <li>frames/s through the whole pipeline (TraceSink -> run spool on disk -> formatter: decode,
 *       binary COPY -> writer: COPY in batches, commit, acknowledge) beside a raw binary COPY of the
 *       same rows, decoded and formatted beforehand, into a table with the schema's indexes and into
 *       one without any index (the physical limit here); rounds alternate the order;</li>
 *   <li>the cost of each index: raw COPY into a table with the primary key and that one index,
 *       against the primary key alone;</li>
 *   <li>each query the dashboard and the exercises make (TraceQueries, as the API runs them) on a
 *       run of {@code queryFrames} frames: median of 5.</li>
 * </ol>
 * The frames are real: captured from the three-segments example (ping, traceroute), cycled up to the
 * count, with their lab time advancing. Arguments: [frames] [rounds] [queryFrames].
 */
public final class IngestBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int queryFrames = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int batch = 5000;
        List<CapturedFrame> sample = sampleFrames();
        System.out.printf(Locale.ROOT, "ingest bench: %d frames per round (cycled from %d captured, mean %.0f bytes), "
                + "batches of %d, %d rounds, durable commits%n", n, sample.size(),
                sample.stream().mapToInt(f -> f.bytes().length).average().orElse(0), batch, rounds);
        Path dir = Files.createTempDirectory("wirelab-bench-pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_wal_size", "4GB").start()) {
            HikariConfig c = new HikariConfig();
            c.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
            c.setMaximumPoolSize(4);
            try (HikariDataSource ds = new HikariDataSource(c)) {
                Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
                FrameDecoder decoder = FrameDecoder.standard();
                List<byte[]> chunks = rawChunks(decoder, sample, n, batch, 1);
                Bench b = new Bench(ds, decoder, sample, n, batch, chunks);
                b.throughput(rounds);
                b.indexCosts(rounds);
                if (queryFrames > 0) {
                    b.queries(queryFrames);
                }
            }
        }
    }

    record Bench(HikariDataSource ds, FrameDecoder decoder, List<CapturedFrame> sample, int n, int batch,
                 List<byte[]> chunks) {

        /** The frame indexes before migration V5 (each led by run_id, a btree on time): the design it replaced. */
        static final List<String> V1_INDEXES = List.of("(run_id, seq)", "(run_id, time_ns)", "(run_id, ingress_node, seq)",
                "(run_id, src_ip)", "(run_id, dst_ip)", "(run_id, conversation, seq)", "USING gin (protocols)");

        void throughput(int rounds) throws Exception {
            double pipe = 0;
            double indexed = 0;
            double v1 = 0;
            double bare = 0;
            for (int r = 1; r <= rounds; r++) {
                double p;
                double i;
                double old;
                double none;
                if (r % 2 == 1) {
                    none = rawInto(table(List.of()));
                    old = rawInto(v1Table());
                    i = rawInto(table(null));
                    p = pipeline();
                } else {
                    p = pipeline();
                    i = rawInto(table(null));
                    old = rawInto(v1Table());
                    none = rawInto(table(List.of()));
                }
                pipe += p;
                indexed += i;
                v1 += old;
                bare += none;
                System.out.printf(Locale.ROOT, "round %d: pipeline %,8.0f frames/s   raw COPY: schema's indexes %,8.0f   "
                        + "V1 indexes %,8.0f   no index %,8.0f%n", r, p, i, old, none);
            }
            System.out.printf(Locale.ROOT, "mean:    pipeline %,8.0f frames/s   raw COPY: schema's indexes %,8.0f   "
                            + "V1 indexes %,8.0f   no index %,8.0f%n         pipeline/raw %.0f%%   pipeline/no-index %.0f%%   "
                            + "schema/V1 %.2fx%n", pipe / rounds, indexed / rounds, v1 / rounds, bare / rounds,
                    100 * pipe / indexed, 100 * pipe / bare, indexed / v1);
        }

        String v1Table() throws Exception {
            String t = table(List.of());
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                int i = 0;
                for (String def : V1_INDEXES) {
                    String using = def.startsWith("USING") ? def : "(" + def.substring(1);
                    st.execute((i == 0 ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + t + "_v1_" + i++ + " ON " + t + " "
                            + using);
                }
            }
            return t;
        }

        /** Each of the schema's frame indexes alone beside the primary key: the ingest it costs. */
        void indexCosts(int rounds) throws Exception {
            Map<String, String> all = schemaIndexes();
            List<String> names = new ArrayList<>(all.keySet());
            names.removeIf(s -> s.endsWith("_pkey"));
            String pkey = all.entrySet().stream().filter(e -> e.getKey().endsWith("_pkey")).findFirst().orElseThrow().getKey();
            Map<String, Double> sum = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                sum.merge("primary key only", rawInto(table(List.of(pkey))), Double::sum);
                for (String ix : names) {
                    sum.merge(ix, rawInto(table(List.of(pkey, ix))), Double::sum);
                }
            }
            double base = sum.get("primary key only") / rounds;
            System.out.printf(Locale.ROOT, "index cost (raw COPY into a table with the primary key and one index, "
                    + "mean of %d):%n  %-28s %,8.0f frames/s%n", rounds, "primary key only", base);
            for (String ix : names) {
                double v = sum.get(ix) / rounds;
                System.out.printf(Locale.ROOT, "  + %-26s %,8.0f frames/s  (%.0f%% slower)   %s%n", ix, v,
                        100 * (1 - v / base), all.get(ix));
            }
        }

        /** The frame indexes the migrations give a partition: name (without the partition prefix) -> definition. */
        Map<String, String> schemaIndexes() throws Exception {
            long run = newRun(ds, "probe");
            Map<String, String> out = new LinkedHashMap<>();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'frames_r"
                         + run + "' ORDER BY indexname")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2).replaceAll("^.* USING ", "USING "));
                }
            }
            return out;
        }

        /**
         * A fresh table shaped as a run's frame partition, with the named indexes of the schema (null:
         * all of them, as a partition gets them; empty: none, not even the primary key). Standalone, so
         * the same rows (of run 1) go into every one.
         */
        String table(List<String> indexes) throws Exception {
            long run = newRun(ds, "t");
            String part = "frames_r" + run;
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                List<String[]> defs = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '" + part + "'")) {
                    while (rs.next()) {
                        defs.add(new String[]{rs.getString(1), rs.getString(2)});
                    }
                }
                String bare = "bench_" + run;
                st.execute("CREATE TABLE " + bare + " (LIKE frames INCLUDING DEFAULTS)");
                for (String[] d : defs) {
                    if (indexes == null || indexes.contains(d[0])) {
                        st.execute(d[1].replace(" ON public." + part + " ", " ON public." + bare + " ")
                                .replace("INDEX " + d[0], "INDEX " + bare + "_" + d[0].replace(part + "_", "")));
                    }
                }
                return bare;
            }
        }

        /** Frames through TraceSink -> spool -> formatter -> writer; time until the last one is acknowledged. */
        double pipeline() throws Exception {
            long run = newRun(ds, "pipe");
            IngestPipeline p = new IngestPipeline(ds, decoder, IngestPipeline.Spooling.temporary(), batch,
                    Duration.ofSeconds(1), null);
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

        /** The rows formatted beforehand (not timed), copied in the pipeline's batches, a commit each. */
        double rawInto(String table) throws Exception {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                long start = System.nanoTime();
                for (byte[] chunk : chunks) {
                    CopyIn in = copy.copyIn("COPY " + table + " (" + IngestPipeline.FRAME_COLUMNS + ") FROM STDIN (FORMAT binary)");
                    for (int off = 0; off < chunk.length; off += 1 << 16) {
                        in.writeToCopy(chunk, off, Math.min(1 << 16, chunk.length - off));
                    }
                    in.endCopy();
                    c.commit();
                }
                return n / ((System.nanoTime() - start) / 1e9);
            }
        }

        void queries(int frames) throws Exception {
            long run = newRun(ds, "queries");
            List<byte[]> big = rawChunks(decoder, sample, frames, 20_000, run);
            long t0 = System.nanoTime();
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (byte[] chunk : big) {
                    CopyIn in = copy.copyIn("COPY frames (" + IngestPipeline.FRAME_COLUMNS + ") FROM STDIN (FORMAT binary)");
                    for (int off = 0; off < chunk.length; off += 1 << 16) {
                        in.writeToCopy(chunk, off, Math.min(1 << 16, chunk.length - off));
                    }
                    in.endCopy();
                    c.commit();
                }
                try (Statement st = c.createStatement()) {
                    // What ingest keeps beside the frames (raw COPY bypasses it): the run's protocol counts.
                    st.execute("INSERT INTO run_protocols SELECT run_id, p, count(*) FROM frames_r" + run
                            + ", unnest(protocols) AS p GROUP BY run_id, p");
                    st.execute("INSERT INTO run_conversations SELECT run_id, conversation, count(*), sum(length), "
                            + "min(time_ns), max(time_ns), min(seq), max(seq) FROM frames_r" + run
                            + " WHERE conversation IS NOT NULL GROUP BY run_id, conversation");
                    st.execute("ANALYZE frames_r" + run);
                }
                c.commit();
            }
            System.out.printf(Locale.ROOT, "queries on a run of %,d frames (loaded in %.1f s), median of 5:%n", frames,
                    (System.nanoTime() - t0) / 1e9);
            TraceQueries q = new TraceQueries(new JdbcTemplate(ds));
            long lastTime = new JdbcTemplate(ds).queryForObject("SELECT max(time_ns) FROM frames WHERE run_id = " + run, Long.class);
            String conv = new JdbcTemplate(ds).queryForObject("SELECT conversation FROM frames WHERE run_id = " + run
                    + " AND protocols @> ARRAY['udp'] AND conversation IS NOT NULL LIMIT 1", String.class);
            Map<String, Supplier<Object>> list = new LinkedHashMap<>();
            list.put("first page (100)", () -> q.frames(run, filter(null, null, null, null, null, null, null, null, 100)));
            list.put("page at 90% (after=)", () -> q.frames(run, filter(null, null, null, null, null, null, null,
                    (long) (frames * 0.9), 100)));
            list.put("time range, mid-run", () -> q.frames(run, filter(lastTime / 2, lastTime / 2 + 50_000_000L, null, null,
                    null, null, null, null, 100)));
            list.put("node r2", () -> q.frames(run, filter(null, null, "r2", null, null, null, null, null, 100)));
            list.put("protocol icmp", () -> q.frames(run, filter(null, null, null, "icmp", null, null, null, null, 100)));
            list.put("protocol udp (rarer)", () -> q.frames(run, filter(null, null, null, "udp", null, null, null, null, 100)));
            list.put("protocol dns (none)", () -> q.frames(run, filter(null, null, null, "dns", null, null, null, null, 100)));
            list.put("address 10.0.2.10", () -> q.frames(run, filter(null, null, null, null, "10.0.2.10", null, null, null, 100)));
            list.put("address 10.0.2.0/24", () -> q.frames(run, filter(null, null, null, null, "10.0.2.0/24", null, null, null, 100)));
            list.put("address 192.0.2.1 (none)", () -> q.frames(run, filter(null, null, null, null, "192.0.2.1", null, null, null, 100)));
            list.put("port 33434", () -> q.frames(run, filter(null, null, null, null, null, 33434, null, null, 100)));
            list.put("text 'Echo'", () -> q.frames(run, filter(null, null, null, null, null, null, "Echo", null, 100)));
            list.put("text 'no such text'", () -> q.frames(run, filter(null, null, null, null, null, null, "no such text", null, 100)));
            list.put("conversation (udp)", () -> q.frames(run, new FrameFilter(null, null, null, null, null, null, null, null,
                    null, conv, null, 100)));
            list.put("conversation summary", () -> q.conversation(run, conv));
            list.put("conversation list (100)", () -> q.conversations(run, null, null, null, 100));
            list.put("frame count", () -> q.frameCount(run));
            list.put("one frame with bytes", () -> q.frame(run, frames / 2));
            for (Map.Entry<String, Supplier<Object>> e : list.entrySet()) {
                double[] ms = new double[5];
                for (int i = 0; i < ms.length; i++) {
                    long s = System.nanoTime();
                    e.getValue().get();
                    ms[i] = (System.nanoTime() - s) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "  %-28s %8.1f ms%n", e.getKey(), ms[2]);
            }
        }

        static FrameFilter filter(Long from, Long to, String node, String protocol, String address, Integer port, String text,
                                  Long after, int limit) {
            return new FrameFilter(from, to, null, node, null, protocol, address, port, text, null, after, limit);
        }
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

    static long newRun(HikariDataSource ds, String name) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("INSERT INTO labs (name, source, source_format, topology) VALUES ('bench-" + name
                    + "-' || gen_random_uuid(), '', 'yaml', '{}') RETURNING id");
            rs.next();
            long lab = rs.getLong(1);
            rs = st.executeQuery("INSERT INTO runs (lab_id, status, time_mode, seed) VALUES (" + lab
                    + ", 'stopped', 'virtual', 1) RETURNING id");
            rs.next();
            long run = rs.getLong(1);
            st.execute("CREATE TABLE frames_r" + run + " PARTITION OF frames FOR VALUES IN (" + run + ")");
            st.execute("CREATE TABLE events_r" + run + " PARTITION OF events FOR VALUES IN (" + run + ")");
            return run;
        }
    }

    /** The frames as the pipeline would send them for run {@code run}: binary COPY, in batches. */
    static List<byte[]> rawChunks(FrameDecoder decoder, List<CapturedFrame> sample, int n, int batch, long run) {
        IngestPipeline dummy = new IngestPipeline(null, decoder, IngestPipeline.Spooling.temporary(), 1,
                Duration.ofSeconds(1), null, false);
        RunTrace trace = dummy.open(run);
        List<byte[]> chunks = new ArrayList<>();
        CopyBinary bin = new CopyBinary();
        bin.reset();
        long time = 0;
        for (int i = 0; i < n; i++) {
            CapturedFrame f = sample.get(i % sample.size());
            // Lab time goes on across the cycles: 20 µs a frame.
            time += 20_000;
            TraceSpool.Record rec = new TraceSpool.Record(TraceSpool.FRAME, i, time, 0, f.segment(),
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
