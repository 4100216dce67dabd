package dev.wirelab.control.runtime;

import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.netstack.bus.Impairments;
import dev.wirelab.netstack.bus.Segment;
import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.netstack.lab.Lab;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A run that is up: its nodes (in this JVM or in containers, see {@link NodeRuntime}), its bus,
 * and where its trace goes (the ingest pipeline and the live hub).
 */
public final class LiveRun {

    private final long runId;
    private final long labId;
    private final String labName;
    private final RunNodes nodes;
    private final RunTrace trace;
    private final LiveHub hub;
    private volatile RunRecord record;

    LiveRun(long runId, long labId, String labName, RunNodes nodes, RunTrace trace, LiveHub hub) {
        this.runId = runId;
        this.labId = labId;
        this.labName = labName;
        this.nodes = nodes;
        this.trace = trace;
        this.hub = hub;
    }

    public long runId() {
        return runId;
    }

    /** The run as stored when it started (so its status can be shown while the database is away). */
    public RunRecord record() {
        return record;
    }

    void record(RunRecord r) {
        this.record = r;
    }

    public long labId() {
        return labId;
    }

    public String labName() {
        return labName;
    }

    public String runtime() {
        return nodes.runtime();
    }

    /** The lab: its bus (segments, impairments, capture), and in the embedded runtime its nodes. */
    public Lab lab() {
        return nodes.lab();
    }

    public RunTrace trace() {
        return trace;
    }

    public LiveHub hub() {
        return hub;
    }

    public boolean virtual() {
        return nodes.virtual();
    }

    public long nanos() {
        return nodes.nanos();
    }

    void start() throws Exception {
        nodes.start();
    }

    public List<RunNodes.NodeEntry> nodes() {
        return nodes.nodes();
    }

    /** The node, or 404. */
    public RunNodes.NodeEntry node(String name) {
        return nodes.node(name);
    }

    /** Runs a command line on a node; {@code output} gets each line as printed; exit 124 after {@code timeout}. */
    public CompletableFuture<ExecOutcome> exec(String node, String command, Duration timeout, Consumer<String> output) {
        return nodes.exec(node, command, timeout, output);
    }

    /** Lets lab time pass (virtual time only: real time passes by itself). */
    public CompletableFuture<Long> advance(Duration d) {
        return nodes.advance(d);
    }

    /** The node's state, one entry per section, read where the node's stack is not running meanwhile. */
    public CompletableFuture<Map<String, Object>> nodeState(String node) {
        return nodes.state(node);
    }

    public List<NodeState.Brief> briefs() {
        return nodes.briefs();
    }

    public CompletableFuture<RunNodes.NodeEntry> restart(String node) {
        return nodes.restart(node);
    }

    /** The segments and their impairments now. */
    /** The bus's VXLAN endpoint counters (datagrams taken, dropped from strangers...), or null when it does not listen. */
    public dev.wirelab.netstack.bus.VxlanEndpoint.Counters vxlanCounters() {
        dev.wirelab.netstack.bus.VxlanEndpoint ep = lab().bus().vxlanEndpoint();
        return ep == null ? null : ep.counters();
    }

    /** Where the bus listens for VXLAN ("ip:port"), or null. */
    public String vxlanListen() {
        dev.wirelab.netstack.bus.VxlanEndpoint ep = lab().bus().vxlanEndpoint();
        return ep == null ? null : ep.localAddress().getAddress().getHostAddress() + ":" + ep.localAddress().getPort();
    }

    public List<Segment> segments() {
        return lab().bus().segments();
    }

    /** Swaps a segment's impairments (atomically: each frame sees the old or the new) and records it on the timeline. */
    public void setImpairments(String segment, Impairments impairments) {
        lab().bus().setImpairments(segment, impairments);
        trace.event(nanos(), "bus", "link", "impairments_changed", "segment", segment,
                "loss", impairments.loss(), "delay_ns", impairments.delayNanos(), "jitter_ns", impairments.jitterNanos(),
                "duplicate", impairments.duplicate(), "reorder", impairments.reorder(), "corrupt", impairments.corrupt(),
                "rate_bps", impairments.rateBitsPerSecond());
    }

    /** Stops every node and the bus. */
    void close() {
        nodes.close();
    }
}
