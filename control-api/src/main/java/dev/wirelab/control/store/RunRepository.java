package dev.wirelab.control.store;

import dev.wirelab.control.ingest.RunTrace;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Runs, and the per-run partitions of the frames and events tables. */
@Repository
public class RunRepository {

    private static final RowMapper<RunRecord> RUN = (rs, i) -> new RunRecord(rs.getLong("id"), rs.getLong("lab_id"),
            rs.getString("status"), rs.getString("time_mode"), rs.getLong("seed"),
            (Long) rs.getObject("epoch_unix_nanos"), rs.getObject("started_at", OffsetDateTime.class),
            rs.getObject("ended_at", OffsetDateTime.class), rs.getString("error"),
            rs.getLong("frames_captured"), rs.getLong("frames_stored"), rs.getLong("frames_dropped"),
            rs.getLong("events_captured"), rs.getLong("events_stored"), rs.getLong("events_dropped"),
            rs.getString("runtime"));

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public RunRepository(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Thrown when the lab already has a live run (the unique partial index says so). */
    public static final class LiveRunExistsException extends RuntimeException {
        public LiveRunExistsException(long labId) {
            super("lab " + labId + " already has a live run: stop it first");
        }
    }

    /** A new run in state "starting", with its trace partitions. */
    public RunRecord create(long labId, String timeMode, long seed, String runtime) {
        try {
            return tx.execute(s -> {
                Long id = jdbc.queryForObject("INSERT INTO runs (lab_id, status, time_mode, seed, runtime) "
                        + "VALUES (?, 'starting', ?, ?, ?) RETURNING id", Long.class, labId, timeMode, seed, runtime);
                // LIST partition per run: see V1__labs_runs_traces.sql for why.
                jdbc.execute("CREATE TABLE frames_r" + id + " PARTITION OF frames FOR VALUES IN (" + id + ")");
                jdbc.execute("CREATE TABLE events_r" + id + " PARTITION OF events FOR VALUES IN (" + id + ")");
                return find(id).orElseThrow();
            });
        } catch (DuplicateKeyException e) {
            throw new LiveRunExistsException(labId);
        }
    }

    /**
     * This installation's id (its database's): the docker runtime labels its containers and networks
     * with it, so a control API finds what an earlier one of the same installation left behind.
     */
    public String installationId() {
        return jdbc.queryForObject("SELECT id::text FROM installation", String.class);
    }

    public void markRunning(long id, long epochUnixNanos) {
        jdbc.update("UPDATE runs SET status = 'running', epoch_unix_nanos = ? WHERE id = ?", epochUnixNanos, id);
    }

    /** Ends a run: status, reason, and the in-memory counters that only grow (stored counts move with their rows). */
    public void markEnded(long id, String status, String error, RunTrace.Counts c) {
        if (c == null) {
            jdbc.update("UPDATE runs SET status = ?, error = ?, ended_at = now() WHERE id = ?", status, error, id);
            return;
        }
        jdbc.update("UPDATE runs SET status = ?, error = ?, ended_at = now(), "
                        + "frames_captured = greatest(frames_captured, ?), frames_dropped = greatest(frames_dropped, ?), "
                        + "events_captured = greatest(events_captured, ?), events_dropped = greatest(events_dropped, ?) "
                        + "WHERE id = ?", status, error, c.framesCaptured(), c.framesDropped(), c.eventsCaptured(),
                c.eventsDropped(), id);
    }

    /** Writes a live run's growing counters (drops happen while the database may be away: written when it is back). */
    public void updateCounters(long id, RunTrace.Counts c) {
        jdbc.update("UPDATE runs SET frames_captured = greatest(frames_captured, ?), frames_dropped = greatest(frames_dropped, ?), "
                        + "events_captured = greatest(events_captured, ?), events_dropped = greatest(events_dropped, ?) WHERE id = ?",
                c.framesCaptured(), c.framesDropped(), c.eventsCaptured(), c.eventsDropped(), id);
    }

    /**
     * Runs left live by a control API that stopped without ending them: they cannot be resumed.
     * Their counters add up again: what was captured but never stored was lost with the process,
     * and counts as dropped (captured = stored + dropped; stored is exact, captured is as last
     * written, at most one counter flush old).
     */
    public int markInterrupted(String reason) {
        return jdbc.update("UPDATE runs SET status = 'interrupted', ended_at = now(), error = ?, "
                + "frames_captured = greatest(frames_captured, frames_stored + frames_dropped), "
                + "frames_dropped = greatest(frames_captured, frames_stored + frames_dropped) - frames_stored, "
                + "events_captured = greatest(events_captured, events_stored + events_dropped), "
                + "events_dropped = greatest(events_captured, events_stored + events_dropped) - events_stored "
                + "WHERE status IN ('starting', 'running')", reason);
    }

    public Optional<RunRecord> find(long id) {
        return jdbc.query("SELECT * FROM runs WHERE id = ?", RUN, id).stream().findFirst();
    }

    public List<RunRecord> forLab(long labId) {
        return jdbc.query("SELECT * FROM runs WHERE lab_id = ? ORDER BY id", RUN, labId);
    }

    public List<RunRecord> recent(int limit) {
        return jdbc.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", RUN, limit);
    }

    /** Drops a run's trace partitions (instant, nothing left to vacuum). */
    public void dropTrace(long id) {
        jdbc.execute("DROP TABLE IF EXISTS frames_r" + id);
        jdbc.execute("DROP TABLE IF EXISTS events_r" + id);
        jdbc.update("DELETE FROM run_protocols WHERE run_id = ?", id);
        jdbc.update("DELETE FROM run_conversations WHERE run_id = ?", id);
    }
}
