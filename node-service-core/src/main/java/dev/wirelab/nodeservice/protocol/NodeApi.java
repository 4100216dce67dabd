package dev.wirelab.nodeservice.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The management API of a node container, as the control API calls it. Every request carries
 * {@code Authorization: Bearer <token>} (the token of the node's {@link NodeConfig}).
 *
 * <ul>
 *   <li>{@code GET /health}: {@link Health}; 200 once the node runs.</li>
 *   <li>{@code GET /state}: the node's state sections (as {@code dev.wirelab.netstack.inspect.NodeState}).</li>
 *   <li>{@code GET /kind/...}: what the node's kind adds (leases, zones, forwarding...).</li>
 *   <li>{@code POST /exec} {@link ExecRequest}: NDJSON, one {@link ExecLine} per printed line, then one with
 *       the exit.</li>
 *   <li>{@code GET /events?after=N&max=M&waitMillis=W}: an {@link EventBatch} of events with a sequence
 *       number above N, waiting up to W ms for the first one (and with {@code &lingerMillis=L}, up to L ms
 *       more for M of them); with {@code &format=binary} the same batch as {@link EventWire} (what the
 *       control API uses).</li>
 * </ul>
 */
public final class NodeApi {

    /** The environment variable that carries the node's configuration as JSON. */
    public static final String CONFIG_ENV = "WIRELAB_NODE_CONFIG";
    /** The same, gzip-compressed and base64-encoded: used instead when the JSON is large (big node files). */
    public static final String CONFIG_GZIP_ENV = "WIRELAB_NODE_CONFIG_GZIP";
    /**
     * The longest "NAME=value" string Linux takes in a new process's environment (MAX_ARG_STRLEN,
     * 32 pages, with its NUL): beyond it exec fails with E2BIG ("argument list too long").
     */
    public static final int MAX_ENV_ENTRY = 32 * 4096 - 1;
    /** Above this many bytes the configuration travels compressed. */
    static final int COMPRESS_ABOVE = 16 * 1024;
    /** The management API's TCP port in the container. */
    public static final int MANAGEMENT_PORT = 8181;
    /** The first NIC's UDP port in the container. */
    public static final int NIC_BASE_PORT = 4789;
    /** Events a node keeps for the control API to fetch, at most; beyond, new ones are counted and dropped. */
    public static final int DEFAULT_EVENT_BUFFER = 65_536;
    /** Events per batch, at most. */
    public static final int MAX_BATCH = 5_000;
    /**
     * How long the control API lets a node gather events for a batch once it has one: events reach
     * the live view up to this much later, in a fraction of the requests.
     */
    public static final int EVENT_LINGER_MILLIS = 20;

    private NodeApi() {
    }

    /**
     * The environment entry ("NAME=value") that gives a container its configuration: the JSON as
     * it is, or compressed when large. A configuration too large even so is refused here, with the
     * reason, rather than by the container's exec.
     */
    public static String configEnvEntry(String node, String json) {
        String entry;
        if (json.length() <= COMPRESS_ABOVE) {
            entry = CONFIG_ENV + "=" + json;
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(json.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            entry = CONFIG_GZIP_ENV + "=" + Base64.getEncoder().encodeToString(out.toByteArray());
        }
        if (entry.getBytes(StandardCharsets.UTF_8).length > MAX_ENV_ENTRY) {
            throw new IllegalArgumentException("node " + node + "'s configuration is " + json.length() / 1024
                    + " KiB (" + (entry.length() - CONFIG_GZIP_ENV.length() - 1) / 1024 + " KiB compressed); a container takes at most "
                    + MAX_ENV_ENTRY / 1024 + " KiB in one environment variable: make the node's files smaller to run it"
                    + " on the docker runtime (the embedded runtime has no such limit)");
        }
        return entry;
    }

    /** The configuration JSON from a container's environment ({@link #configEnvEntry}); null when there is none. */
    public static String configFromEnv(Map<String, String> env) {
        String gz = env.get(CONFIG_GZIP_ENV);
        if (gz == null || gz.isBlank()) {
            return env.get(CONFIG_ENV);
        }
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(gz.strip())))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad node configuration: " + CONFIG_GZIP_ENV + " is not gzip in base64 (" + e.getMessage() + ")");
        }
    }
}
