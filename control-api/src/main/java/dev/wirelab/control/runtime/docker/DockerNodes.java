package dev.wirelab.control.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.ExecOutcome;
import dev.wirelab.control.runtime.RunNodes;
import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.NodeAssembly;
import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.nodeservice.protocol.EventWire;
import dev.wirelab.nodeservice.protocol.NulSafeJson;
import dev.wirelab.nodeservice.protocol.ExecLine;
import dev.wirelab.nodeservice.protocol.Health;
import dev.wirelab.nodeservice.protocol.NodeApi;
import dev.wirelab.nodeservice.protocol.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One run on the docker runtime: a bridge network with a fixed /24, the bus in this JVM listening
 * for VXLAN on the network (its gateway, or this control API's own address when it runs in a
 * container), and one container per node at a fixed address whose NICs are the bus's external
 * ports. Each node's events are long-polled from its management API into the run's trace; a node
 * whose container dies becomes a {@code node down} event and shows as down until restarted.
 *
 * <p>Timestamps: the bus and every container read the same kernel clock (CLOCK_MONOTONIC, which
 * containers share), and every node counts lab time from the bus's origin, so frames (stamped by
 * the bus) and events (stamped by the nodes) land on one timeline.
 */
final class DockerNodes implements RunNodes {

    private static final Logger log = LoggerFactory.getLogger(DockerNodes.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int FIRST_NODE_HOST = 10;
    private static final int SELF_HOST = 254;
    private static final int MAX_NODES = SELF_HOST - FIRST_NODE_HOST;

    /** One node container. */
    private static final class Member {
        final String name;
        final String kind;
        final String ip;
        final String containerName;
        final NodeClient client;
        volatile String containerId;
        volatile String status = "starting";
        volatile String bootId;
        volatile long after;

        Member(String name, String kind, String ip, String containerName, NodeClient client) {
            this.name = name;
            this.kind = kind;
            this.ip = ip;
            this.containerName = containerName;
            this.client = client;
        }
    }

    private final DockerRuntime runtime;
    private final DockerClient docker;
    private final long runId;
    private final String labName;
    private final Lab lab;
    private final RunTrace trace;
    private final String networkId;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<?>> pullers = Collections.synchronizedList(new ArrayList<>());
    private static final int STOP_SECONDS = 5;
    /** The run is stopping: containers exit because they are told to, not because they died. */
    private volatile boolean stopping;
    /** Stopped: the pullers end. */
    private volatile boolean closing;

    private DockerNodes(DockerRuntime runtime, long runId, String labName, Lab lab, RunTrace trace, String networkId) {
        this.runtime = runtime;
        this.docker = runtime.docker();
        this.runId = runId;
        this.labName = labName;
        this.lab = lab;
        this.trace = trace;
        this.networkId = networkId;
    }

    static DockerNodes create(DockerRuntime rt, long runId, String labName, Topology topology, long seed,
                              RunTrace trace) {
        if (topology.nodes().size() > MAX_NODES) {
            throw new IllegalArgumentException("the docker runtime runs at most " + MAX_NODES + " nodes per lab; "
                    + labName + " has " + topology.nodes().size());
        }
        DockerClient d = rt.docker();
        Map<String, String> labels = Map.of(DockerRuntime.LABEL_INSTALLATION, rt.installation(),
                DockerRuntime.LABEL_RUN, Long.toString(runId), DockerRuntime.LABEL_LAB, labName);
        String[] net = createNetwork(rt, d, runId, labels);
        String networkId = net[0];
        String subnet = net[1];
        Lab lab = null;
        DockerNodes nodes = null;
        try {
            String busIp = busAddress(rt, d, networkId, subnet);
            lab = Lab.build(topology, Lab.Options.real().withSeed(seed).withSink(trace).withoutMemoryTrace()
                    .withNodesElsewhere());
            int busPort;
            if (lab.bus().vxlanEndpoint() != null) {
                // The lab has external ports (a Linux namespace, a real host): the bus already listens
                // where they reach it, and the containers reach that address through the host too.
                InetSocketAddress at = lab.bus().vxlanEndpoint().localAddress();
                busPort = at.getPort();
                if (!at.getAddress().isAnyLocalAddress()) {
                    busIp = at.getAddress().getHostAddress();
                }
            } else {
                busPort = lab.bus().listenVxlan(new InetSocketAddress(busIp, 0)).localAddress().getPort();
            }
            nodes = new DockerNodes(rt, runId, labName, lab, trace, networkId);
            String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            String topologyJson = Topologies.toJson(topology);
            // Each container gets the topology without the other nodes' files: they are not its to serve.
            int i = 0;
            Lab bus = lab;
            String busHost = busIp;
            for (Map.Entry<String, NodeSpec> e : topology.nodes().entrySet()) {
                String name = e.getKey();
                NodeSpec spec = e.getValue();
                String ip = SubnetPool.host(subnet, FIRST_NODE_HOST + i++);
                NodeConfig.nicPorts(spec, NodeApi.NIC_BASE_PORT).forEach((ifName, port) -> {
                    InterfaceSpec is = spec.interfaces().get(ifName);
                    // Every port is known before the first frame: the bus accepts these and no others.
                    bus.bus().addExternalPort(is.segment(), NodeAssembly.portName(name, ifName),
                            new InetSocketAddress(ip, port));
                });
                NodeConfig config = new NodeConfig(runId, name, NodeConfig.topologyFor(topologyJson, name), seed, busHost, busPort, NodeApi.NIC_BASE_PORT,
                        lab.originNanoTime(), lab.epochUnixNanos(), token);
                String containerName = containerName(rt, runId, name);
                Member m = new Member(name, spec.kind(), ip, containerName, new NodeClient(rt.http(), ip, token));
                m.containerId = createContainer(rt, d, m, spec.kind(), config, networkId, labels);
                nodes.members.put(name, m);
            }
            return nodes;
        } catch (RuntimeException e) {
            cleanUpAfterFailedStart(rt, runId, nodes, lab, e);
            throw e;
        } catch (IOException e) {
            IllegalStateException failure = new IllegalStateException("the bus cannot listen for VXLAN on the run's network: "
                    + e.getMessage(), e);
            cleanUpAfterFailedStart(rt, runId, null, lab, failure);
            throw failure;
        }
    }

    /**
     * Removes what a failed start made. A cleanup that fails too is attached to the start's failure
     * (suppressed), never put in its place: the run's error says why it did not start.
     */
    private static void cleanUpAfterFailedStart(DockerRuntime rt, long runId, DockerNodes nodes, Lab lab, Exception why) {
        try {
            if (nodes != null) {
                nodes.close();
                return;
            }
            if (lab != null) {
                lab.close();
            }
            rt.sweep(Map.of(DockerRuntime.LABEL_INSTALLATION, rt.installation(), DockerRuntime.LABEL_RUN,
                    Long.toString(runId)));
        } catch (RuntimeException cleanup) {
            why.addSuppressed(cleanup);
        }
    }

    private static String containerName(DockerRuntime rt, long runId, String node) {
        String safe = node.replaceAll("[^a-zA-Z0-9_.-]", "_");
        return "wirelab-" + rt.installation().substring(0, 8) + "-r" + runId + "-" + safe;
    }

    /** A bridge network on the first free /24 of the pool; answers {id, subnet}. */
    private static String[] createNetwork(DockerRuntime rt, DockerClient d, long runId, Map<String, String> labels) {
        String name = "wirelab-" + rt.installation().substring(0, 8) + "-r" + runId;
        DockerException last = null;
        for (String subnet : rt.pool().candidates(runId, 32)) {
            try {
                String id = d.createNetworkCmd().withName(name).withDriver("bridge").withLabels(labels)
                        .withCheckDuplicate(true)
                        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(subnet)
                                .withGateway(SubnetPool.host(subnet, 1))))
                        .exec().getId();
                return new String[]{id, subnet};
            } catch (DockerException e) {
                // Most likely the /24 overlaps another network: try the next.
                last = e;
            }
        }
        throw new IllegalStateException("no free /24 in " + rt.settings().subnetPool()
                + " for the run's Docker network (wirelab.docker.subnet-pool): " + (last == null ? "" : last.getMessage()),
                last);
    }

    /** Where the bus listens: this control API's container joins the network at .254, else the gateway (host). */
    private static String busAddress(DockerRuntime rt, DockerClient d, String networkId, String subnet) {
        String self = rt.settings().self();
        if (self.isBlank()) {
            return SubnetPool.host(subnet, 1);
        }
        String ip = SubnetPool.host(subnet, SELF_HOST);
        d.connectToNetworkCmd().withNetworkId(networkId).withContainerId(self)
                .withContainerNetwork(new ContainerNetwork().withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(ip)))
                .exec();
        return ip;
    }

    static String imageFor(DockerRuntime rt, String kind) {
        String service = switch (kind) {
            case "host", "web" -> "host-service";
            case "router" -> "router-service";
            case "dhcp" -> "dhcp-service";
            case "dns" -> "dns-service";
            default -> throw new IllegalArgumentException("the docker runtime has no service for nodes of kind " + kind);
        };
        return rt.settings().imagePrefix() + service + ":" + rt.settings().imageTag();
    }

    private static String createContainer(DockerRuntime rt, DockerClient d, Member m, String kind, NodeConfig config,
                                          String networkId, Map<String, String> runLabels) {
        Map<String, String> labels = new LinkedHashMap<>(runLabels);
        labels.put(DockerRuntime.LABEL_NODE, m.name);
        labels.put(DockerRuntime.LABEL_KIND, kind);
        List<String> env = new ArrayList<>();
        env.add(NodeApi.configEnvEntry(m.name, JSON.writeValueAsString(config)));
        if (!rt.settings().javaOpts().isBlank()) {
            env.add("JAVA_OPTS=" + rt.settings().javaOpts());
        }
        long memory = rt.settings().memory().toBytes();
        // Unprivileged: no capabilities, not root, read-only root file system (a small tmpfs for the JVM's
        // temporary files), no privilege escalation, bounded memory (no swap) and processes, no host network.
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(networkId)
                .withPrivileged(false)
                .withCapDrop(Capability.ALL)
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,noexec,nosuid,nodev,size=16m"))
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(memory)
                .withMemorySwap(memory)
                .withPidsLimit(512L)
                .withInit(false);
        try {
            return d.createContainerCmd(imageFor(rt, kind))
                    .withName(m.containerName)
                    .withHostName(m.name.replaceAll("[^a-zA-Z0-9-]", "-"))
                    .withUser("10001:10001")
                    .withEnv(env)
                    .withLabels(labels)
                    .withHostConfig(host)
                    .withIpv4Address(m.ip)
                    .exec().getId();
        } catch (NotFoundException e) {
            throw new IllegalStateException("no image " + imageFor(rt, kind) + " (build it with infra/build-images.sh): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String runtime() {
        return DockerRuntime.NAME;
    }

    @Override
    public Lab lab() {
        return lab;
    }

    @Override
    public boolean virtual() {
        return false;
    }

    @Override
    public long nanos() {
        return lab.nanos();
    }

    /**
     * Starts the bus and the containers, waits until each answers /health, then ships their events.
     * Infrastructure first (routers, DHCP and DNS servers, web servers), then the hosts, as a network
     * is up before its clients boot: a host's first DHCPDISCOVER finds its server listening.
     */
    @Override
    public void start() throws Exception {
        lab.start();
        long deadline = System.nanoTime() + runtime.settings().healthTimeout().toNanos();
        List<Member> infrastructure = members.values().stream().filter(m -> !"host".equals(m.kind)).toList();
        List<Member> hosts = members.values().stream().filter(m -> "host".equals(m.kind)).toList();
        for (List<Member> wave : List.of(infrastructure, hosts)) {
            List<Future<Health>> healths = new ArrayList<>();
            for (Member m : wave) {
                healths.add(threads.submit(() -> {
                    docker.startContainerCmd(m.containerId).exec();
                    return awaitHealthy(m, deadline);
                }));
            }
            for (Future<Health> f : healths) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
            for (Member m : wave) {
                pullers.add(threads.submit(() -> pullEvents(m)));
            }
        }
        log.info("Run {}: {} node containers up on network {}", runId, members.size(), networkId.substring(0, 12));
    }

    /** Polls the node's /health until it is up; a container that exits meanwhile fails with its last log lines. */
    private Health awaitHealthy(Member m, long deadlineNanos) throws Exception {
        IOException last = null;
        while (System.nanoTime() < deadlineNanos && !closing) {
            try {
                Health h = m.client.health(Duration.ofSeconds(2));
                if ("up".equals(h.status())) {
                    m.bootId = m.bootId == null ? h.bootId() : m.bootId;
                    m.status = "up";
                    return h;
                }
            } catch (IOException e) {
                last = e;
            }
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(m.containerId).exec().getState();
            if (!Boolean.TRUE.equals(state.getRunning()) && !"created".equals(state.getStatus())) {
                throw new IllegalStateException("node " + m.name + "'s container exited (status " + state.getExitCodeLong()
                        + (Boolean.TRUE.equals(state.getOOMKilled()) ? ", out of memory" : "") + "): " + logTail(m));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node " + m.name + " did not answer /health within "
                + runtime.settings().healthTimeout().toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()));
    }

    private String logTail(Member m) {
        StringBuilder sb = new StringBuilder();
        try {
            docker.logContainerCmd(m.containerId).withStdOut(true).withStdErr(true).withTail(5)
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.Frame f) {
                            sb.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            sb.append("(no logs: ").append(e.getMessage()).append(')');
        }
        return sb.toString().trim();
    }

    /**
     * Long-polls the node's events into the run's trace. Sequence numbers that never arrive (the
     * node's buffer was full) are counted as dropped events; a new boot id (the container started
     * again) starts the numbers over. When the node stops answering, its container is looked at: if
     * it is no longer running, the node is down.
     */
    private void pullEvents(Member m) {
        int failures = 0;
        while (!closing) {
            try {
                EventWire.Batch b = m.client.events(m.after, NodeApi.MAX_BATCH, 1000);
                failures = 0;
                if (!b.bootId().equals(m.bootId)) {
                    m.bootId = b.bootId();
                    m.after = 0;
                }
                long expected = m.after + 1;
                for (EventWire.Event e : b.events()) {
                    if (e.seq() < expected) {
                        continue;
                    }
                    if (e.seq() > expected) {
                        trace.lostAtSource(e.seq() - expected);
                    }
                    // The node is not trusted to have written jsonb-safe text: an escaped NUL is replaced
                    // here; JSON that is still not storable is set aside by the ingest, counted.
                    trace.event(e.timeNanos(), e.node(), e.layer(), e.kind(), NulSafeJson.sanitize(e.detailJson()));
                    expected = e.seq() + 1;
                }
                m.after = expected - 1;
            } catch (IOException e) {
                if (closing || stopping && !containerRunning(m)) {
                    return; // its last events are in
                }
                failures++;
                if ("up".equals(m.status) && !containerRunning(m)) {
                    markDown(m);
                }
                sleep(Math.min(1000, 100L * failures));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("Run {}: events of node {}: {}", runId, m.name, e.toString());
                sleep(1000);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean containerRunning(Member m) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(m.containerId).exec().getState().getRunning());
        } catch (NotFoundException e) {
            return false;
        }
    }

    private synchronized void markDown(Member m) {
        if (!"up".equals(m.status) || stopping) {
            return;
        }
        m.status = "down";
        Long exit = null;
        boolean oom = false;
        String finished = null;
        try {
            InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(m.containerId).exec().getState();
            exit = s.getExitCodeLong();
            oom = Boolean.TRUE.equals(s.getOOMKilled());
            finished = s.getFinishedAt();
        } catch (RuntimeException e) {
            // removed meanwhile
        }
        trace.event(lab.nanos(), m.name, "node", "down", "container", m.containerName, "exitCode", exit, "oomKilled", oom,
                "finishedAt", finished);
        log.warn("Run {}: node {} is down (container {} exited, status {}{})", runId, m.name, m.containerName, exit,
                oom ? ", out of memory" : "");
    }

    private Member require(String name) {
        Member m = members.get(name);
        if (m == null) {
            throw new dev.wirelab.control.errors.NotFoundException("no node '" + name + "' in lab " + labName
                    + " (nodes: " + String.join(", ", members.keySet()) + ")");
        }
        return m;
    }

    private Member requireUp(String name) {
        Member m = require(name);
        if ("down".equals(m.status)) {
            throw new ConflictException("node " + name + " is down (its container exited): POST /api/runs/" + runId
                    + "/nodes/" + name + "/restart brings it back");
        }
        return m;
    }

    @Override
    public List<NodeEntry> nodes() {
        return members.values().stream().map(m -> new NodeEntry(m.name, m.kind, m.status)).toList();
    }

    @Override
    public NodeEntry node(String name) {
        Member m = require(name);
        return new NodeEntry(m.name, m.kind, m.status);
    }

    @Override
    public CompletableFuture<ExecOutcome> exec(String node, String command, Duration timeout, Consumer<String> output) {
        Member m = requireUp(node);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        return CompletableFuture.supplyAsync(() -> {
            try {
                ExecLine.Exit x = m.client.exec(command, Math.max(1, timeout.toMillis()), line -> {
                    lines.add(line);
                    output.accept(line);
                });
                return new ExecOutcome(node, command, x.exitCode(), x.timedOut(), List.copyOf(lines), x.startedAtNanos(),
                        x.endedAtNanos());
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(new ConflictException("node " + node
                        + " did not finish the command: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
    }

    @Override
    public CompletableFuture<Map<String, Object>> state(String node) {
        Member m = requireUp(node);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return m.client.state(Duration.ofSeconds(10));
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(new ConflictException("node " + node
                        + " did not answer: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
    }

    @Override
    public List<NodeState.Brief> briefs() {
        List<Future<NodeState.Brief>> fs = new ArrayList<>();
        for (Member m : members.values()) {
            fs.add(threads.submit(() -> {
                if (!"up".equals(m.status)) {
                    return NodeClient.down(m.name, m.kind);
                }
                try {
                    return m.client.health(Duration.ofSeconds(2)).brief();
                } catch (IOException e) {
                    return NodeClient.down(m.name, m.kind);
                }
            }));
        }
        List<NodeState.Brief> out = new ArrayList<>();
        for (Future<NodeState.Brief> f : fs) {
            try {
                out.add(f.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<Long> advance(Duration d) {
        throw new ConflictException("run " + runId + " runs in real time (docker runtime): its clock advances by itself");
    }

    /** Starts the node's container again (restarts it if it still runs) and waits until it is healthy. */
    @Override
    public CompletableFuture<NodeEntry> restart(String node) {
        Member m = require(node);
        return CompletableFuture.supplyAsync(() -> {
            synchronized (m) {
                String before = m.status;
                m.status = "starting";
                try {
                    if (containerRunning(m)) {
                        docker.restartContainerCmd(m.containerId).withTimeout(5).exec();
                    } else {
                        docker.startContainerCmd(m.containerId).exec();
                    }
                    m.bootId = null;
                    awaitHealthy(m, System.nanoTime() + runtime.settings().healthTimeout().toNanos());
                } catch (Exception e) {
                    m.status = containerRunning(m) ? before : "down";
                    throw new java.util.concurrent.CompletionException(new ConflictException("node " + node
                            + " could not be restarted: " + e.getMessage()));
                }
                trace.event(lab.nanos(), m.name, "node", "up", "container", m.containerName, "restarted", true);
                return new NodeEntry(m.name, m.kind, m.status);
            }
        }, threads);
    }

    /**
     * Stops the containers (SIGTERM: each node stops as embedded nodes do, and its last events are
     * taken), then removes them and the network, and stops the bus.
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        List<Future<?>> stops = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.containerId != null && "up".equals(m.status)) {
                stops.add(threads.submit(() -> {
                    try {
                        docker.stopContainerCmd(m.containerId).withTimeout(STOP_SECONDS).exec();
                    } catch (RuntimeException e) {
                        // not running, or gone: removed below
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : stops) {
            try {
                f.get();
            } catch (Exception e) {
                log.debug("Run {}: stop: {}", runId, e.getMessage());
            }
        }
        closing = true;
        pullers.forEach(f -> f.cancel(true));
        List<Future<?>> removals = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.containerId != null) {
                removals.add(threads.submit(() -> {
                    try {
                        docker.removeContainerCmd(m.containerId).withForce(true).withRemoveVolumes(true).exec();
                    } catch (NotFoundException gone) {
                        // already
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : removals) {
            try {
                f.get();
            } catch (Exception e) {
                log.warn("Run {}: a container could not be removed: {}", runId, e.getMessage());
            }
        }
        // Anything else with this run's labels (a container created before a failure), then the network.
        runtime.sweep(Map.of(DockerRuntime.LABEL_INSTALLATION, runtime.installation(), DockerRuntime.LABEL_RUN,
                Long.toString(runId)));
        threads.shutdownNow();
        lab.close();
    }
}
