package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.bus.Bus;
import dev.wirelab.netstack.bus.Impairments;
import dev.wirelab.netstack.lab.topology.BusSpec;
import dev.wirelab.netstack.lab.topology.ExternalPortSpec;
import dev.wirelab.netstack.lab.topology.LinkSpec;
import dev.wirelab.netstack.lab.topology.SegmentSpec;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.OverheardDetail;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.trace.TraceSink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running lab in one JVM (the embedded runtime): the bus with one learning switch per segment,
 * every node of the topology with its own stack, and the trace of both on one timeline.
 *
 * <p>In {@link TimeMode#VIRTUAL} nothing moves until the caller drives time ({@link #run},
 * {@link #advance}); in {@link TimeMode#REAL} every node has its own event loop thread.
 */
public final class Lab implements AutoCloseable {

    /**
     * Options of one run of a lab.
     *
     * @param keepTrace   whether {@link #trace()} keeps every frame and event in memory (default true);
     *                    a long-running lab whose trace goes to {@code extraSink} (the control API's
     *                    database ingest) turns it off so memory stays bounded
     * @param loopThreads real time only: how many threads carry the nodes' event loops (0: the
     *                    default, see {@link #defaultLoopThreads(int)})
     */
    public record Options(TimeMode timeMode, Long seed, TraceSink extraSink, NodeFactory nodes, boolean keepTrace,
                          int loopThreads, boolean nodesElsewhere) {
        public Options {
            if (loopThreads < 0) {
                throw new IllegalArgumentException("loopThreads must be >= 0 (0: default), got " + loopThreads);
            }
        }

        public Options(TimeMode timeMode, Long seed, TraceSink extraSink, NodeFactory nodes) {
            this(timeMode, seed, extraSink, nodes, true, 0, false);
        }

        public static Options virtual() {
            return new Options(TimeMode.VIRTUAL, null, null, NodeFactory.standard());
        }

        public static Options real() {
            return new Options(TimeMode.REAL, null, null, NodeFactory.standard());
        }

        public Options withSeed(long s) {
            return new Options(timeMode, s, extraSink, nodes, keepTrace, loopThreads, nodesElsewhere);
        }

        public Options withSink(TraceSink sink) {
            return new Options(timeMode, seed, sink, nodes, keepTrace, loopThreads, nodesElsewhere);
        }

        public Options withNodes(NodeFactory factory) {
            return new Options(timeMode, seed, extraSink, factory, keepTrace, loopThreads, nodesElsewhere);
        }

        /** Frames and events go only to {@code extraSink}; {@link #trace()} stays empty. */
        public Options withoutMemoryTrace() {
            return new Options(timeMode, seed, extraSink, nodes, false, loopThreads, nodesElsewhere);
        }

        /** Real time: carry the node loops on {@code n} threads (1: every node and the bus on one). */
        public Options withLoopThreads(int n) {
            return new Options(timeMode, seed, extraSink, nodes, keepTrace, n, nodesElsewhere);
        }

        /**
         * The lab is only the bus (segments, impairments, capture, the topology's external ports): its
         * nodes run elsewhere, e.g. each in its own container, and join through VXLAN ports that the
         * caller adds ({@link Bus#addExternalPort}). Real time only.
         */
        public Options withNodesElsewhere() {
            return new Options(timeMode, seed, extraSink, nodes, keepTrace, loopThreads, true);
        }
    }

    /** Nodes per loop thread in the default sizing: a thread keeps up with a busy chain of that many. */
    public static final int NODES_PER_LOOP_THREAD = 16;

    /**
     * Threads for the node loops of a lab of {@code nodes} nodes when the options leave it open:
     * the system property {@code wirelab.loopThreads} if set, else one thread per
     * {@value #NODES_PER_LOOP_THREAD} nodes, at most half the processors (the rest are for the
     * programs' virtual threads and the capture), at least one. Each node still runs on exactly one
     * loop thread, so its stack stays single-threaded ("one event loop per node"); nodes share a
     * thread the way Netty channels share an event loop. Few threads is the fast case: a frame handed
     * to a node on the same thread is a queue push, while one handed across threads costs a wake-up
     * and a context switch, which was most of the per-frame cost of a busy lab (on 2 cores a 3-node
     * chain on one thread moves a frame in 4.6 us, on two threads in 7.4 us).
     */
    public static int defaultLoopThreads(int nodes) {
        Integer p = Integer.getInteger("wirelab.loopThreads");
        if (p != null && p > 0) {
            return p;
        }
        int byNodes = (nodes + NODES_PER_LOOP_THREAD - 1) / NODES_PER_LOOP_THREAD;
        return Math.max(1, Math.min(byNodes, Runtime.getRuntime().availableProcessors() / 2));
    }

    private final Topology topology;
    private final TimeMode timeMode;
    private final long seed;
    private final TraceRecorder recorder = new TraceRecorder();
    private final OverheardDetail overheardDetail;
    private final TraceSink sink;
    private final VirtualTimeScheduler virtual;
    private final RealTimeClock realClock;
    private final EventLoop busLoop;
    private final List<RealTimeLoop> realLoops = new ArrayList<>();
    private final int loopThreads;
    private int loopsHandedOut;
    private final Bus bus;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final boolean nodesElsewhere;
    private boolean started;
    private boolean closed;

    private Lab(Topology topology, Options options) {
        this.topology = topology;
        this.timeMode = options.timeMode();
        this.seed = options.seed() != null ? options.seed() : topology.seed() != null ? topology.seed() : 1L;
        this.loopThreads = options.loopThreads() > 0 ? options.loopThreads()
                : defaultLoopThreads(topology.nodes().size());
        this.sink = options.extraSink() == null ? recorder
                : options.keepTrace() ? tee(recorder, options.extraSink()) : options.extraSink();
        this.nodesElsewhere = options.nodesElsewhere();
        try {
            this.overheardDetail = OverheardDetail.fromSystemProperty();
        } catch (IllegalArgumentException e) {
            throw new LabException(e.getMessage(), e);
        }
        if (timeMode == TimeMode.VIRTUAL) {
            if (nodesElsewhere) {
                throw new LabException("nodes that run elsewhere (their own processes or containers) need real time: "
                        + "they keep their own clocks");
            }
            virtual = new VirtualTimeScheduler();
            realClock = null;
            busLoop = virtual;
            if (!topology.external().isEmpty()) {
                throw new LabException("external ports (" + topology.external().get(0).name()
                        + ") need real time: a Linux host does not run in the lab's virtual time");
            }
        } else {
            virtual = null;
            realClock = new RealTimeClock();
            busLoop = nextRealLoop();
        }
        bus = new Bus(busLoop, sink, seed);
    }

    /** Builds a lab from a validated topology: segments, impairments, nodes, links, external ports. */
    public static Lab build(Topology topology, Options options) {
        Lab lab = new Lab(topology, options);
        try {
            lab.assemble(options.nodes());
        } catch (RuntimeException e) {
            lab.close();
            throw e instanceof LabException ? e : new LabException("lab " + topology.name() + " could not be built: "
                    + e.getMessage(), e);
        }
        return lab;
    }

    private void assemble(NodeFactory factory) {
        for (SegmentSpec s : topology.segments()) {
            bus.addSegment(s.name(), s.vni());
            bus.setImpairments(s.name(), impairments(topology.link(s.name())));
        }
        if (!nodesElsewhere) {
            for (String name : topology.nodes().keySet()) {
                EventLoop loop = timeMode == TimeMode.VIRTUAL ? virtual : nextRealLoop();
                Node node = NodeAssembly.build(topology, name, loop, sink, seed, factory, (ifName, is) -> {
                    Link link = bus.connect(is.segment(), NodeAssembly.portName(name, ifName));
                    links.add(link);
                    return link;
                });
                node.setOverheardDetail(overheardDetail); // one budget per broadcast across the lab's nodes
                nodes.put(name, node);
            }
        }
        if (!topology.external().isEmpty()) {
            InetSocketAddress bind = busBind(topology);
            try {
                bus.listenVxlan(bind);
            } catch (IOException e) {
                throw new LabException("the bus cannot listen for VXLAN on " + bind + ": " + e.getMessage(), e);
            }
            for (ExternalPortSpec x : topology.external()) {
                bus.addExternalPort(x.segment(), x.name(), new InetSocketAddress(x.remoteHost(), x.remotePort()));
            }
        }
    }

    /**
     * Where the bus listens for the topology's external VTEPs: {@code bus.bind} when given; else the
     * address this machine sends from towards them (the kernel's route choice, read from a connected
     * UDP socket, which sends nothing), so the bus listens where they reach it and on no other
     * interface; 127.0.0.1 when they are on loopback or there are none.
     */
    public static InetSocketAddress busBind(Topology topology) {
        BusSpec spec = topology.busOrDefault();
        if (spec.bind() != null) {
            return new InetSocketAddress(spec.bind().toString(), spec.port());
        }
        InetAddress chosen = null;
        String chosenFor = null;
        for (ExternalPortSpec x : topology.external()) {
            InetAddress local;
            try {
                InetAddress remote = InetAddress.getByName(x.remoteHost());
                local = remote.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : localAddressTowards(remote);
            } catch (IOException e) {
                throw new LabException("external port " + x.name() + ": no local address reaches " + x.remote()
                        + " (" + e.getMessage() + "); set bus.bind", e);
            }
            if (chosen != null && !chosen.equals(local)) {
                throw new LabException("external ports " + chosenFor + " and " + x.name() + " are reached from different"
                        + " local addresses (" + chosen.getHostAddress() + ", " + local.getHostAddress()
                        + "); set bus.bind (0.0.0.0 listens on every interface)");
            }
            chosen = local;
            chosenFor = x.name();
        }
        return new InetSocketAddress(chosen == null ? InetAddress.getLoopbackAddress() : chosen, spec.port());
    }

    private static InetAddress localAddressTowards(InetAddress remote) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET)) {
            probe.connect(new InetSocketAddress(remote, ExternalPortSpec.DEFAULT_PORT));
            return ((InetSocketAddress) probe.getLocalAddress()).getAddress();
        }
    }

    /** The bus's impairments for a topology link entry. */
    public static Impairments impairments(LinkSpec l) {
        return new Impairments(l.loss(), l.delayNanos(), l.jitterNanos(), l.duplicate(), l.reorder(),
                Impairments.DEFAULT_REORDER_DELAY_NANOS, l.corrupt(), l.rateBitsPerSecond(),
                Impairments.DEFAULT_QUEUE_LIMIT_BYTES);
    }

    /**
     * The loop thread for the next node, in topology order (the bus takes the first): consecutive
     * nodes share a thread, in blocks, because a topology file usually lists neighbors together,
     * and neighbors on one thread hand each other frames without a wake-up.
     */
    private RealTimeLoop nextRealLoop() {
        int slots = topology.nodes().size() + 1; // the bus and every node
        int threads = Math.min(loopThreads, slots); // never more threads than loops to carry
        int i = (int) ((long) Math.min(loopsHandedOut++, slots - 1) * threads / slots);
        if (i == realLoops.size()) {
            realLoops.add(new RealTimeLoop(topology.name() + "-" + i, realClock));
        }
        return realLoops.get(i);
    }

    /** Starts every node (each announces its addresses with a gratuitous ARP). */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        sink.event(busLoop.nanos(), "lab", "lab", "start", "name", topology.name(), "time", timeMode.name().toLowerCase(),
                "seed", seed);
        for (Node n : nodes.values()) {
            n.loop().execute(n::start);
        }
        if (virtual != null) {
            virtual.runUntilIdle(virtual.nanos());
        }
    }

    /** Runs {@code command} on {@code node} and waits for it (driving virtual time), at most {@code timeout} of lab time. */
    public ExecResult run(String node, String command, Duration timeout) {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> done = exec(node, command, out::add);
        int exit;
        if (virtual != null) {
            long deadline = virtual.nanos() + timeout.toNanos();
            virtual.runUntil(done::isDone, deadline);
            exit = done.isDone() ? done.join() : ExecResult.TIMED_OUT;
        } else {
            try {
                exit = done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                exit = ExecResult.TIMED_OUT;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit = ExecResult.TIMED_OUT;
            } catch (ExecutionException e) {
                throw new LabException(node + ": " + command + " failed: " + e.getCause(), e.getCause());
            }
        }
        if (exit == ExecResult.TIMED_OUT) {
            out.add("(no end after " + timeout.toMillis() + " ms of lab time)");
        }
        return new ExecResult(node, command, exit, out);
    }

    public ExecResult run(String node, String command) {
        return run(node, command, Duration.ofSeconds(60));
    }

    /**
     * Waits until {@code done} is true or {@code timeout} of lab time has passed: virtual time runs
     * the events due meanwhile (and stops at the instant {@code done} became true), real time polls.
     * Used to drive a program started with {@link #exec} while its output streams elsewhere. In
     * virtual time only one thread may drive a lab at once.
     *
     * @return whether {@code done} became true
     */
    public boolean runUntil(java.util.function.BooleanSupplier done, Duration timeout) {
        if (virtual != null) {
            virtual.runUntil(done, virtual.nanos() + timeout.toNanos());
            return done.getAsBoolean();
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, Math.min(20, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return done.getAsBoolean();
    }

    /** Starts {@code command} on {@code node} without waiting; in virtual time it moves only while time is driven. */
    public CompletableFuture<Integer> exec(String node, String command, java.util.function.Consumer<String> output) {
        if (!started) {
            start();
        }
        return node(node).exec(command, output);
    }

    /** Lets {@code d} of lab time pass: virtual time runs every event due; real time sleeps. */
    public void advance(Duration d) {
        if (virtual != null) {
            virtual.runFor(d.toNanos());
        } else {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new LabException("no node '" + name + "' in lab " + topology.name() + " (nodes: "
                    + String.join(", ", nodes.keySet()) + ")");
        }
        return n;
    }

    public Map<String, Node> nodes() {
        return Collections.unmodifiableMap(nodes);
    }

    public Topology topology() {
        return topology;
    }

    public TimeMode timeMode() {
        return timeMode;
    }

    public long seed() {
        return seed;
    }

    public Bus bus() {
        return bus;
    }

    /** Lab time now, in nanoseconds since the lab epoch. */
    public long nanos() {
        return busLoop.nanos();
    }

    public long epochUnixNanos() {
        return busLoop.epochUnixNanos();
    }

    /**
     * Real time: the {@link System#nanoTime()} reading that is lab time zero, for nodes that run in
     * other processes of this machine and keep their clocks on the lab's timeline.
     */
    public long originNanoTime() {
        if (realClock == null) {
            throw new IllegalStateException("a virtual-time lab has no real-time origin");
        }
        return realClock.originNanoTime();
    }

    /** Whether the lab's nodes run elsewhere ({@link Options#withNodesElsewhere()}): the lab is the bus only. */
    public boolean nodesElsewhere() {
        return nodesElsewhere;
    }

    /**
     * Real time: how the loops kept up, as timers run / run more than 10 ms late / the most late
     * (ns), over every loop; null in virtual time.
     */
    public long[] realTimeLag() {
        if (realLoops.isEmpty()) {
            return null;
        }
        long run = 0;
        long late = 0;
        long max = 0;
        for (RealTimeLoop l : realLoops) {
            run += l.timersRun();
            late += l.timersLate();
            max = Math.max(max, l.maxLatenessNanos());
        }
        return new long[] {run, late, max};
    }

    /** How much receivers of one broadcast trace of what they overheard, and what they only counted. */
    public OverheardDetail overheardDetail() {
        return overheardDetail;
    }

    /** Every frame and event so far, on one timeline. */
    public TraceRecorder trace() {
        return recorder;
    }

    /** Writes every frame of the capture (one pcapng interface per segment) to {@code path}. */
    public void writePcapng(Path path) throws IOException {
        PcapngWriter.write(recorder, busLoop.epochUnixNanos(), path);
    }

    /** Writes the frames of {@code view} (one pcapng interface per segment) to {@code path}. */
    public void writePcapng(Path path, CaptureView view) throws IOException {
        PcapngWriter.write(recorder.frames(), busLoop.epochUnixNanos(), path, view);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node n : nodes.values()) {
            n.stop();
        }
        if (virtual != null) {
            virtual.runUntilIdle(virtual.nanos());
        }
        bus.close();
        for (Link l : links) {
            l.close();
        }
        for (RealTimeLoop l : realLoops) {
            l.close();
        }
    }

    private static TraceSink tee(TraceSink a, TraceSink b) {
        return new TraceSink() {
            @Override
            public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
                a.frame(timeNanos, segment, ingressPort, bytes);
                b.frame(timeNanos, segment, ingressPort, bytes);
            }

            @Override
            public void event(TraceEvent event) {
                a.event(event);
                b.event(event);
            }
        };
    }
}
