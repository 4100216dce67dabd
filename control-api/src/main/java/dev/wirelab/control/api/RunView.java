package dev.wirelab.control.api;

import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's status: its state, clock and trace counters, and (while live) each node's state in brief.
 *
 * @param status         starting, running, stopped, failed or interrupted
 * @param error          why it failed, was interrupted, or why rows were still pending at its end
 * @param labTimeNanos   lab time now (live runs)
 * @param frames         captured (handed over by the bus), stored (committed: acknowledged), dropped (counted)
 * @param pendingRows    frames and events queued for the database
 */
public record RunView(long id, long labId, String status, boolean live, String timeMode, long seed, Long epochUnixNanos,
                      OffsetDateTime startedAt, OffsetDateTime endedAt, String error, Long labTimeNanos,
                      Counts frames, Counts events, long pendingRows, List<NodeBrief> nodes) {

    public record Counts(long captured, long stored, long dropped) {
    }

    /** A node in brief: enough to see that it is up and what it did. */
    public record NodeBrief(String name, String kind, boolean running, List<IfBrief> interfaces, int routes,
                            long received, long sent, long dropped) {
    }

    public record IfBrief(String name, String mac, List<String> addresses, long rxFrames, long txFrames) {
    }

    public static RunView of(RunRecord r, LiveRun live) {
        if (live == null) {
            return new RunView(r.id(), r.labId(), r.status(), false, r.timeMode(), r.seed(), r.epochUnixNanos(),
                    r.startedAt(), r.endedAt(), r.error(), null,
                    new Counts(r.framesCaptured(), r.framesStored(), r.framesDropped()),
                    new Counts(r.eventsCaptured(), r.eventsStored(), r.eventsDropped()), 0, List.of());
        }
        RunTrace.Counts c = live.trace().counts();
        List<NodeBrief> nodes = new ArrayList<>();
        for (Map.Entry<String, Node> e : live.lab().nodes().entrySet()) {
            Node n = e.getValue();
            Map<String, Long> counters = n.counters();
            long dropped = counters.entrySet().stream().filter(x -> x.getKey().contains(".dropped."))
                    .mapToLong(Map.Entry::getValue).sum();
            List<IfBrief> ifs = new ArrayList<>();
            for (NetworkInterface i : n.interfaces()) {
                ifs.add(new IfBrief(i.name(), i.mac().toString(),
                        i.addresses().stream().map(InterfaceAddress::toString).toList(), i.rxFrames(), i.txFrames()));
            }
            nodes.add(new NodeBrief(e.getKey(), live.lab().topology().nodes().get(e.getKey()).kind(), n.running(), ifs,
                    n.routes().size(), counters.getOrDefault("ethernet.received", 0L),
                    counters.getOrDefault("ethernet.sent", 0L), dropped));
        }
        return new RunView(r.id(), r.labId(), "running", true, r.timeMode(), r.seed(), live.lab().epochUnixNanos(),
                r.startedAt(), null, null, live.lab().nanos(),
                new Counts(c.framesCaptured(), c.framesStored(), c.framesDropped()),
                new Counts(c.eventsCaptured(), c.eventsStored(), c.eventsDropped()), c.pending(), nodes);
    }
}
