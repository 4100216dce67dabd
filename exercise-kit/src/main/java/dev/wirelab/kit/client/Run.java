package dev.wirelab.kit.client;

import java.util.List;

/**
 * A run's status.
 *
 * @param status       starting, running, stopped, failed or interrupted
 * @param labTimeNanos lab time now (or at the end)
 * @param frames       frames captured by the bus, stored in the database, dropped
 * @param events       stack events made, stored, dropped
 * @param pendingRows  rows captured but not stored yet
 * @param nodesDown    nodes whose container died
 */
public record Run(long id, long labId, String status, boolean live, String runtime, String timeMode, long seed,
                  Long labTimeNanos, Counts frames, Counts events, long pendingRows, double ingestLagSeconds,
                  List<String> nodesDown, String error) {

    public record Counts(long captured, long stored, long dropped) {
    }

    /** Everything the run captured is stored, or counted as dropped. */
    public boolean allStored() {
        return !live && pendingRows == 0 && frames != null && events != null
                && frames.stored() + frames.dropped() >= frames.captured()
                && events.stored() + events.dropped() >= events.captured();
    }
}
