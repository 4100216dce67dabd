package dev.wirelab.kit.client;

import dev.wirelab.kit.trace.Trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of a lab driven by an exercise, the same way on every runtime: in virtual time lab time
 * passes when asked ({@link #pass}), in real time the exercise waits; programs run with
 * {@link #exec}; {@link #stop} ends it and {@link #trace} reads what was stored.
 */
public final class LabRun implements AutoCloseable {

    private final WirelabClient client;
    private final Run started;
    private final List<ExecResult> results = new ArrayList<>();
    private boolean stopped;

    private LabRun(WirelabClient client, Run started) {
        this.client = client;
        this.started = started;
    }

    public static LabRun start(WirelabClient client, long labId, RunOptions options) {
        return new LabRun(client, client.startRun(labId, options));
    }

    public long id() {
        return started.id();
    }

    public boolean realTime() {
        return "real".equals(started.timeMode());
    }

    public String runtime() {
        return started.runtime();
    }

    public WirelabClient client() {
        return client;
    }

    /** Runs a program on a node and keeps its result ({@link #results}). */
    public ExecResult exec(String node, String command) {
        ExecResult r = client.exec(id(), node, command);
        results.add(r);
        return r;
    }

    /** Every program's result, in the order they ran. */
    public List<ExecResult> results() {
        return List.copyOf(results);
    }

    /** Lets {@code d} of lab time pass: advanced in virtual time, waited in real time. */
    public void pass(Duration d) {
        if (realTime()) {
            WirelabClient.sleep(d.toMillis());
        } else {
            client.advance(id(), d);
        }
    }

    /**
     * Lets lab time pass until a node has made an event of this layer and kind (e.g. pc1's
     * {@code dhcp/configured}), at most {@code max} of lab time; fails after that.
     */
    public void awaitEvent(String node, String layer, String kind, Duration max) {
        Map<String, String> filter = Map.of("node", node, "layer", layer, "kind", kind);
        Duration step = realTime() ? Duration.ofMillis(250) : Duration.ofSeconds(1);
        long budget = max.toNanos();
        long waitedWall = 0;
        while (client.events(id(), filter).isEmpty()) {
            if (budget <= 0) {
                // The event may be made but not stored yet: give ingest a moment (wall time) before failing.
                if (waitedWall > 5_000 || !client.events(id(), filter).isEmpty()) {
                    if (client.events(id(), filter).isEmpty()) {
                        throw new AssertionError(node + " made no " + layer + "/" + kind + " event within " + max
                                + " of lab time (run " + id() + ")");
                    }
                    return;
                }
                WirelabClient.sleep(250);
                waitedWall += 250;
                continue;
            }
            pass(step);
            budget -= step.toNanos();
        }
    }

    /** Stops the run (its nodes shut down as a machine does; containers are removed). */
    public Run stop() {
        stopped = true;
        return client.stop(id());
    }

    /** The stored trace, once the run has stopped and everything is stored. */
    public Trace trace() {
        if (!stopped) {
            stop();
        }
        return Trace.of(client, id());
    }

    @Override
    public void close() {
        if (!stopped) {
            try {
                stop();
            } catch (WirelabApiException e) {
                if (e.status() != 409) {
                    throw e;
                }
            }
        }
    }
}
