package dev.wirelab.control.store;

import java.time.OffsetDateTime;

/** A stored run and its trace counters as the database has them; runtime: embedded or docker. */
public record RunRecord(long id, long labId, String status, String timeMode, long seed, Long epochUnixNanos,
                        OffsetDateTime startedAt, OffsetDateTime endedAt, String error,
                        long framesCaptured, long framesStored, long framesDropped,
                        long eventsCaptured, long eventsStored, long eventsDropped, String runtime) {

    public boolean live() {
        return "starting".equals(status) || "running".equals(status);
    }
}
