package dev.wirelab.control.ingest;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A real, migrated PostgreSQL for the ingest tests (embedded, data under target/), with a few shortcuts. */
final class TraceDb implements AutoCloseable {

    final EmbeddedPostgres pg;
    final DataSource ds;

    TraceDb(String name) throws Exception {
        Path dir = Path.of("target", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true).start();
        ds = pg.getPostgresDatabase();
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    /** A lab and a running run with its partitions, as RunRepository makes them. */
    long newRun(String lab) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            ResultSet r = s.executeQuery("INSERT INTO labs (name, source, source_format, topology) VALUES ('" + lab
                    + "', '', 'yaml', '{}') RETURNING id");
            r.next();
            long labId = r.getLong(1);
            r = s.executeQuery("INSERT INTO runs (lab_id, status, time_mode, seed) VALUES (" + labId
                    + ", 'running', 'virtual', 1) RETURNING id");
            r.next();
            long id = r.getLong(1);
            s.execute("CREATE TABLE frames_r" + id + " PARTITION OF frames FOR VALUES IN (" + id + ")");
            s.execute("CREATE TABLE events_r" + id + " PARTITION OF events FOR VALUES IN (" + id + ")");
            return id;
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    String string(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** An Ethernet frame with an unknown EtherType: decodes to a summary with no text surprises. */
    static byte[] frame(int i) {
        byte[] f = new byte[60];
        f[0] = 2;
        f[6] = 2;
        f[11] = (byte) i;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5; // IEEE 802 local experimental EtherType
        return f;
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
