package dev.wirelab.control.config;

import dev.wirelab.control.ingest.IngestPipeline;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health of the trace ingest: DOWN while the database refuses writes (rows wait in the spools on
 * disk up to their budget, then are dropped and counted), with the spool, lag and drop counts as details.
 */
@Component("ingest")
public class IngestHealth implements HealthIndicator {

    private final IngestPipeline ingest;

    public IngestHealth(IngestPipeline ingest) {
        this.ingest = ingest;
    }

    @Override
    public Health health() {
        IngestPipeline.Status s = ingest.status();
        Health.Builder b = s.databaseUp() ? Health.up() : Health.down();
        b.withDetail("pendingRows", s.pendingRows()).withDetail("spoolBytes", s.spoolBytes())
                .withDetail("spoolBudgetBytes", s.spoolBudgetBytes()).withDetail("spoolFull", s.spoolFull())
                .withDetail("recoveredRows", s.recoveredRows())
                .withDetail("lagSeconds", s.lagSeconds())
                .withDetail("framesStored", s.framesStored()).withDetail("eventsStored", s.eventsStored())
                .withDetail("framesDropped", s.framesDropped()).withDetail("eventsDropped", s.eventsDropped())
                .withDetail("framesPerSecond", s.framesPerSecond()).withDetail("eventsPerSecond", s.eventsPerSecond());
        if (s.lastError() != null) {
            b.withDetail("lastError", s.lastError());
        }
        return b.build();
    }
}
