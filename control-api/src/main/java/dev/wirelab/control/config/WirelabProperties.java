package dev.wirelab.control.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

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
 * @param runtime  where runs' nodes live unless a run asks (embedded or docker)
 * @param docker   the docker runtime's settings
 * @param vxlan    where a topology may aim the bus's VXLAN (external VTEPs, bus bind)
 */
@ConfigurationProperties("wirelab")
public record WirelabProperties(
        @DefaultValue Db db,
        @DefaultValue Ingest ingest,
        @DefaultValue Live live,
        @DefaultValue("examples") String examples,
        @DefaultValue("true") boolean importExamples,
        @DefaultValue("60s") Duration execTimeout,
        @DefaultValue Runtime runtime,
        @DefaultValue Docker docker,
        @DefaultValue Vxlan vxlan,
        @DefaultValue Security security) {

    /**
     * Who may drive the API (issue 11): see {@code dev.wirelab.control.security.ApiGuard}.
     *
     * @param auth           {@code auto} (token required when the server listens beyond loopback),
     *                       {@code on} or {@code off}
     * @param token          the API token; empty: read from {@code tokenFile}, made there on first use
     * @param tokenFile      where the token is kept; empty: {@code ~/.wirelab/token}
     * @param allowedHosts   Host header names this server answers to besides localhost, *.localhost,
     *                       IP literals and (when it listens beyond loopback) its own host names;
     *                       {@code *}: any (behind a reverse proxy that checks it)
     * @param allowedOrigins origins (scheme://host:port) whose pages may change state here besides
     *                       the server's own
     */
    public record Security(@DefaultValue("auto") String auth, @DefaultValue("") String token,
                           @DefaultValue("") String tokenFile,
                           @DefaultValue({}) java.util.List<String> allowedHosts,
                           @DefaultValue({}) java.util.List<String> allowedOrigins) {
    }

    /**
     * The only networks and UDP ports a topology's external VTEPs ({@code external[].remote}) and
     * {@code bus.bind} may name: the request cannot widen them (issue 11: otherwise an API caller
     * makes this machine send UDP anywhere). Loopback and the IANA VXLAN port by default; add e.g.
     * {@code 10.255.0.0/16} for network namespaces or a lab network of real machines.
     *
     * @param allowedNetworks IPv4 networks (CIDR); {@code 0.0.0.0/0} also allows binding every interface
     * @param allowedPorts    UDP ports or ranges: 4789 (RFC 7348), 8472 (Linux's old default)
     */
    public record Vxlan(@DefaultValue("127.0.0.0/8") java.util.List<String> allowedNetworks,
                        @DefaultValue({"4789", "8472"}) java.util.List<String> allowedPorts) {
    }

    /** @param defaultRuntime {@code wirelab.runtime.default}: embedded (every node in this JVM) or docker */
    public record Runtime(@Name("default") @DefaultValue("embedded") String defaultRuntime) {
    }

    /**
     * The docker runtime: each node in a container of {@code <imagePrefix><service>:<imageTag>}.
     *
     * @param host         Docker endpoint; empty: DOCKER_HOST, else the local socket
     * @param imagePrefix  image names are this plus the service (host-service, router-service...)
     * @param imageTag     their tag
     * @param self         this control API's container name when it runs in one (compose): it joins each
     *                     run's network so the bus and the management calls reach the nodes; empty on a host
     * @param subnetPool   each run's network gets the next free /24 of this range (fixed addresses, so a
     *                     restarted container keeps its NIC addresses and the bus knows every port up front)
     * @param memory       memory limit of a node container, bytes ("160m" style accepted by Spring's DataSize)
     * @param javaOpts     JVM options of node containers; empty: the image's (small heap, Serial GC)
     * @param healthTimeout how long a run waits for all its node containers to answer /health
     */
    public record Docker(@DefaultValue("") String host, @DefaultValue("wirelab/") String imagePrefix,
                         @DefaultValue("local") String imageTag, @DefaultValue("") String self,
                         @DefaultValue("10.213.0.0/16") String subnetPool,
                         @DefaultValue("160MB") org.springframework.util.unit.DataSize memory,
                         @DefaultValue("") String javaOpts, @DefaultValue("90s") Duration healthTimeout) {
    }

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
     * @param durable fsync and synchronous commit on, so an acknowledged frame survives a power loss
     *                too, not only a killed process; false trades that for ingest speed
     */
    public record Embedded(@DefaultValue("") String dataDir, @DefaultValue("0") int port,
                           @DefaultValue("false") boolean clean, @DefaultValue("true") boolean durable) {
    }

    /**
     * @param batchRows   rows per COPY transaction, at most
     * @param retryMax    longest wait between attempts while the database is unreachable
     * @param spoolDir    where runs' traces wait on disk for the database; empty: beside the embedded
     *                    database's data ({@code <data-dir>-spool}), or {@code ~/.wirelab/spool} with a URL
     * @param spoolBudget disk the spools may take together; beyond, rows are dropped and counted
     * @param nice        OS nice value of the ingest threads and the embedded PostgreSQL (0: unchanged),
     *                    so that the bus's frames go first on a busy machine and the trace catches up
     */
    public record Ingest(@DefaultValue("5000") int batchRows, @DefaultValue("2s") Duration retryMax,
                         @DefaultValue("") String spoolDir, @DefaultValue("4GB") org.springframework.util.unit.DataSize spoolBudget,
                         @DefaultValue("10") int nice) {
    }

    /** @param bufferPerSubscriber items a slow live subscriber may fall behind before drops are counted */
    public record Live(@DefaultValue("2048") int bufferPerSubscriber) {
    }
}
