package dev.wirelab.control.api;

import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.LiveHub;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.netstack.inspect.NodeState;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A run's status: its state, clock and trace counters, and (while live) each node's state in brief.
 *
 * @param status         starting, running, stopped, failed or interrupted
 * @param runtime        where its nodes live: embedded (this JVM) or docker (a container each)
 * @param error          why it failed, was interrupted, or why rows were still pending at its end
 * @param labTimeNanos   lab time now (live runs)
 * @param frames         captured (handed over by the bus), stored (committed: acknowledged), dropped (counted)
 * @param pendingRows    frames and events in the spool, not yet committed to the database (an ended
 *                       run too, while ingest catches up)
 * @param ingestLagSeconds age of the oldest of them; 0 when everything is stored
 * @param nodes          each node in brief; a node that is down (its container died) is not running
 * @param nodesDown      names of the nodes that are down
 * @param vxlan          the bus's VXLAN endpoint while live, null when it does not listen
 * @param liveSubscribers each open {@code /live} stream as the run's hub sees it (live runs)
 */
public record RunView(long id, long labId, String status, boolean live, String runtime, String timeMode, long seed,
                      Long epochUnixNanos, OffsetDateTime startedAt, OffsetDateTime endedAt, String error,
                      Long labTimeNanos, Counts frames, Counts events, long pendingRows, double ingestLagSeconds, List<NodeState.Brief> nodes,
                      List<String> nodesDown, Vxlan vxlan, List<LiveHub.SubscriberStats> liveSubscribers) {

    public record Counts(long captured, long stored, long dropped) {
    }

    /**
     * The bus's VXLAN endpoint (external ports, node containers).
     *
     * @param listen            where it listens, "ip:port"
     * @param unknownSource     datagrams dropped because their sender is no VTEP of that segment
     * @param lastUnknownSource the latest such sender, or null
     * @param badHeader         datagrams that were not VXLAN
     * @param unknownVni        datagrams for a VNI that is no segment of the lab
     */
    public record Vxlan(String listen, long datagramsIn, long datagramsOut, long unknownSource,
                        String lastUnknownSource, long badHeader, long unknownVni) {
    }

    public static RunView of(RunRecord r, LiveRun live) {
        return of(r, live, null);
    }

    /** {@code ingesting}: an ended run's trace while ingest still stores its spool (null: all stored). */
    public static RunView of(RunRecord r, LiveRun live, RunTrace ingesting) {
        if (live == null) {
            long pending = ingesting == null ? 0 : Math.max(0, ingesting.counts().pending());
            double lag = ingesting == null ? 0 : ingesting.lagSeconds();
            return new RunView(r.id(), r.labId(), r.status(), false, r.runtime(), r.timeMode(), r.seed(),
                    r.epochUnixNanos(), r.startedAt(), r.endedAt(), r.error(), null,
                    new Counts(r.framesCaptured(), r.framesStored(), r.framesDropped()),
                    new Counts(r.eventsCaptured(), r.eventsStored(), r.eventsDropped()), pending, lag, List.of(),
                    List.of(), null, List.of());
        }
        RunTrace.Counts c = live.trace().counts();
        List<NodeState.Brief> nodes = live.briefs();
        List<String> down = nodes.stream().filter(b -> !b.running()).map(NodeState.Brief::name).toList();
        dev.wirelab.netstack.bus.VxlanEndpoint.Counters vx = live.vxlanCounters();
        Vxlan vxlan = vx == null ? null : new Vxlan(live.vxlanListen(), vx.datagramsIn(), vx.datagramsOut(),
                vx.unknownSource(), vx.lastUnknownSource(), vx.badHeader(), vx.unknownVni());
        return new RunView(r.id(), r.labId(), "running", true, live.runtime(), r.timeMode(), r.seed(),
                live.lab().epochUnixNanos(), r.startedAt(), null, null, live.nanos(),
                new Counts(c.framesCaptured(), c.framesStored(), c.framesDropped()),
                new Counts(c.eventsCaptured(), c.eventsStored(), c.eventsDropped()), c.pending(), live.trace().lagSeconds(),
                nodes, down, vxlan, live.hub().subscriberStats());
    }
}
