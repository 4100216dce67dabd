package dev.wirelab.nodeservice;

import dev.wirelab.nodeservice.protocol.NodeApi;
import dev.wirelab.nodeservice.protocol.NodeConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The life of a node container: read the configuration the control API gave, check the kind is
 * this service's, build and start the node with its NICs on the bus, serve the management API,
 * and stop cleanly on SIGTERM ({@code docker stop}). A bad configuration ends the process with
 * exit status 2 and one line saying what is wrong, which {@code docker logs} shows.
 */
public final class NodeService implements AutoCloseable {

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    static final long DRAIN_MILLIS = 3000;

    private final RunningNode node;
    private final ManagementServer server;

    private NodeService(RunningNode node, ManagementServer server) {
        this.node = node;
        this.server = server;
    }

    /** Parses and checks a configuration (JSON). */
    public static NodeConfig parseConfig(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("no node configuration: set " + NodeApi.CONFIG_ENV + " (or " + NodeApi.CONFIG_GZIP_ENV + ")"
                    + " to the node's configuration as JSON (the control API's docker runtime does)");
        }
        try {
            return STRICT.readValue(json, NodeConfig.class);
        } catch (JacksonException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("bad node configuration: " + e.getOriginalMessage(), e);
        }
    }

    /** Starts the node of {@code config} and its management API on {@code bind}. */
    public static NodeService start(ServiceSpec spec, NodeConfig config, InetSocketAddress bind) throws IOException {
        String kind = config.spec(config.parsedTopology()).kind();
        if (!spec.kinds().contains(kind)) {
            throw new IllegalArgumentException("node " + config.node() + " is a " + kind + "; " + spec.name()
                    + " runs " + String.join(", ", spec.kinds().stream().sorted().toList()));
        }
        RunningNode node = RunningNode.start(config, new EventBuffer(NodeApi.DEFAULT_EVENT_BUFFER));
        try {
            String bootId = UUID.randomUUID().toString();
            return new NodeService(node, new ManagementServer(node, spec, bootId, bind));
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    public RunningNode node() {
        return node;
    }

    public InetSocketAddress managementAddress() {
        return server.address();
    }

    /**
     * Stops the node, gives the control API a moment to take its last events (the node's stop, a
     * DHCP release...), then stops the management API.
     */
    @Override
    public void close() {
        node.close();
        try {
            node.events().awaitDrained(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    /** A service's {@code main}: runs until the process is told to stop. */
    public static void main(ServiceSpec spec, Map<String, String> env) {
        NodeService service;
        try {
            NodeConfig config = parseConfig(NodeApi.configFromEnv(env));
            service = start(spec, config, new InetSocketAddress(NodeApi.MANAGEMENT_PORT));
        } catch (IllegalArgumentException e) {
            System.err.println(spec.name() + ": " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            System.err.println(spec.name() + ": the node could not start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "stop"));
        System.out.println(spec.name() + ": node " + service.node().name() + " (" + service.node().kind() + ") of run "
                + service.node().config().runId() + " up; NICs " + service.node().links().keySet()
                + " on the bus at " + service.node().config().busHost() + ":" + service.node().config().busPort()
                + "; management API on :" + service.managementAddress().getPort());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
