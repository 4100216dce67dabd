package dev.wirelab.control.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Settings under {@code wirelab.*} (environment variables work too: {@code WIRELAB_DB_URL} is
 * {@code wirelab.db.url}).
 *
 * @param db       where the database is
 * @param ingest   the trace ingest pipeline's bounds
 * @param live     live streams
 * @param examples directory of example topologies ({@code NAME.yaml}) offered and imported at start
 * @param importExamples whether every example becomes a lab at start (when no lab has its name)
 * @param execTimeout default limit of lab time for a program run over the API
 */
@ConfigurationProperties("wirelab")
public record WirelabProperties(
        @DefaultValue Db db,
        @DefaultValue Ingest ingest,
        @DefaultValue Live live,
        @DefaultValue("examples") String examples,
        @DefaultValue("true") boolean importExamples,
        @DefaultValue("60s") Duration execTimeout) {

    /**
     * @param url      JDBC URL of a PostgreSQL to use; empty means: start the embedded one
     *                 ({@code spring.datasource.url} is honoured too)
     * @param embedded the embedded PostgreSQL, used when no URL is given
     */
    public record Db(@DefaultValue("") String url, @DefaultValue("") String username,
                     @DefaultValue("") String password, @DefaultValue("8") int poolSize,
                     @DefaultValue Embedded embedded) {
    }

    /**
     * @param dataDir where its data lives (persistent between starts); empty = {@code ~/.wirelab/pg}
     * @param port    0 picks a free port
     * @param clean   wipe the data directory at start and stop (tests)
     */
    public record Embedded(@DefaultValue("") String dataDir, @DefaultValue("0") int port,
                           @DefaultValue("false") boolean clean) {
    }

    /**
     * @param queueRows   rows (frames and events) waiting for the database, at most; beyond, drops are counted
     * @param batchRows   rows per COPY transaction, at most
     * @param retryMax    longest wait between attempts while the database is unreachable
     */
    public record Ingest(@DefaultValue("100000") int queueRows, @DefaultValue("5000") int batchRows,
                         @DefaultValue("2s") Duration retryMax) {
    }

    /** @param bufferPerSubscriber items a slow live subscriber may fall behind before drops are counted */
    public record Live(@DefaultValue("2048") int bufferPerSubscriber) {
    }
}
