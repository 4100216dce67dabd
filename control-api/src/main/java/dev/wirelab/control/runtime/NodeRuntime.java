package dev.wirelab.control.runtime;

import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Topology;

import java.util.Optional;

/**
 * Where a run's nodes live. {@code embedded}: every node in this JVM, on the bus in memory (virtual
 * or real time). {@code docker}: every node in its own container, its NICs VXLAN ports of a bus in
 * this JVM (real time only). The rest of the control API sees only {@link RunNodes}.
 */
public interface NodeRuntime {

    /** {@code embedded} or {@code docker}: the name a run asks for. */
    String name();

    /** Why this runtime cannot run a lab in that time mode (or at all here), if it cannot. */
    Optional<String> refusal(TimeMode mode);

    /**
     * Builds a run's bus and nodes (not started yet): frames and events go to {@code trace}.
     *
     * @param runId    the run's id (labels, names)
     * @param labName  for messages
     */
    RunNodes create(long runId, String labName, Topology topology, TimeMode mode, long seed, RunTrace trace);
}
