package dev.wirelab.nodeservice.protocol;

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
 *       number above N, waiting up to W ms for the first one.</li>
 * </ul>
 */
public final class NodeApi {

    /** The environment variable that carries the node's configuration as JSON. */
    public static final String CONFIG_ENV = "WIRELAB_NODE_CONFIG";
    /** The management API's TCP port in the container. */
    public static final int MANAGEMENT_PORT = 8181;
    /** The first NIC's UDP port in the container. */
    public static final int NIC_BASE_PORT = 4789;
    /** Events a node keeps for the control API to fetch, at most; beyond, new ones are counted and dropped. */
    public static final int DEFAULT_EVENT_BUFFER = 65_536;
    /** Events per batch, at most. */
    public static final int MAX_BATCH = 5_000;

    private NodeApi() {
    }
}
