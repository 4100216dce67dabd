package dev.wirelab.nodeservice;

import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.netstack.lab.NodeAssembly;
import dev.wirelab.netstack.lab.NodeFactory;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.SegmentSpec;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.link.VxlanLink;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.nodeservice.protocol.ExecLine;
import dev.wirelab.nodeservice.protocol.NodeConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One node of a run, alone in this process: netstack's node built from the topology by the same
 * {@link NodeAssembly} as the embedded runtime, on its own loop, each interface a {@link VxlanLink}
 * to the bus (one UDP socket per NIC, the segment's VNI), its events into an {@link EventBuffer}.
 */
public final class RunningNode implements AutoCloseable {

    private final NodeConfig config;
    private final Topology topology;
    private final NodeSpec spec;
    private final RealTimeLoop loop;
    private final Node node;
    private final EventBuffer events;
    private final Map<String, VxlanLink> links = new LinkedHashMap<>();
    private volatile boolean closed;

    private RunningNode(NodeConfig config, EventBuffer events) {
        this.config = config;
        this.events = events;
        this.topology = config.parsedTopology();
        this.spec = config.spec(topology);
        // Lab time is CLOCK_MONOTONIC minus the bus's origin: the kernel's clock, shared by every container here.
        RealTimeClock clock = new RealTimeClock(config.originNanoTime(), config.epochUnixNanos());
        this.loop = new RealTimeLoop(config.node(), clock);
        InetSocketAddress bus = new InetSocketAddress(config.busHost(), config.busPort());
        if (bus.isUnresolved()) {
            throw new IllegalArgumentException("bad node configuration: bus host " + config.busHost() + " does not resolve");
        }
        Map<String, Integer> ports = NodeConfig.nicPorts(spec, config.nicBasePort());
        try {
            this.node = NodeAssembly.build(topology, config.node(), loop, events, config.seed(), NodeFactory.standard(),
                    (ifName, is) -> {
                        int vni = topology.segment(is.segment()).map(SegmentSpec::vni).orElseThrow(
                                () -> new IllegalArgumentException("interface " + ifName + ": no segment " + is.segment()));
                        VxlanLink link = VxlanLink.open(new InetSocketAddress(ports.get(ifName)), bus, vni);
                        links.put(ifName, link);
                        return link;
                    });
        } catch (RuntimeException e) {
            closeLinks();
            loop.close();
            throw e;
        }
    }

    /** Builds the node from its configuration and starts it (it announces its addresses, its services listen). */
    public static RunningNode start(NodeConfig config, EventBuffer events) {
        RunningNode n = new RunningNode(config, events);
        n.onLoop(node -> {
            node.start();
            return null;
        }).join();
        return n;
    }

    public NodeConfig config() {
        return config;
    }

    public String name() {
        return config.node();
    }

    public String kind() {
        return spec.kind();
    }

    public Node node() {
        return node;
    }

    public EventBuffer events() {
        return events;
    }

    /** Lab time now. */
    public long nanos() {
        return loop.nanos();
    }

    /** Each NIC's local address and counters (frames to and from the bus, bad datagrams). */
    public Map<String, Object> links() {
        Map<String, Object> m = new LinkedHashMap<>();
        links.forEach((ifName, l) -> m.put(ifName, Map.of("local", l.localAddress().toString(), "bus",
                l.busAddress().toString(), "vni", l.vni(), "framesSent", l.framesSent(), "framesReceived",
                l.framesReceived(), "sendErrors", l.sendErrors(), "badDatagrams", l.badDatagrams(), "wrongVni",
                l.wrongVni())));
        return m;
    }

    /** Reads the node on its own loop, where its stack does not run meanwhile. */
    public <T> CompletableFuture<T> onLoop(Function<Node, T> read) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return read.apply(node);
            } catch (RuntimeException e) {
                throw new CompletionException(e);
            }
        }, loop);
    }

    public CompletableFuture<Map<String, Object>> state() {
        return onLoop(n -> NodeState.of(n, kind(), loop.nanos()));
    }

    public CompletableFuture<NodeState.Brief> brief() {
        return onLoop(n -> NodeState.brief(n, kind()));
    }

    /**
     * Runs a command line as the embedded runtime does; {@code output} gets each printed line as it
     * comes. A program still running after {@code timeoutMillis} is stopped (exit 124).
     */
    public CompletableFuture<ExecLine.Exit> exec(String command, long timeoutMillis, Consumer<String> output) {
        long start = loop.nanos();
        List<String> failure = new ArrayList<>(1);
        CompletableFuture<Integer> done = node.exec(command, output);
        return done.handle((v, e) -> null)
                .completeOnTimeout(null, timeoutMillis, TimeUnit.MILLISECONDS)
                .thenApply(x -> {
                    boolean finished = done.isDone();
                    if (!finished) {
                        done.cancel(true); // the program stops at its next step
                    }
                    int exit = !finished ? ExecLine.TIMED_OUT : done.isCompletedExceptionally() ? 1 : done.join();
                    if (finished && done.isCompletedExceptionally()) {
                        failure.add("(failed: " + done.exceptionNow() + ")");
                        output.accept(failure.getFirst());
                    }
                    return new ExecLine.Exit(exit, !finished, start, loop.nanos());
                });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            onLoop(n -> {
                n.stop();
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Stopping is best effort: the process ends anyway.
        }
        closeLinks();
        loop.close();
    }

    private void closeLinks() {
        links.values().forEach(VxlanLink::close);
    }
}
