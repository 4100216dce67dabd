package dev.wirelab.control.runtime.embedded;

import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.NodeRuntime;
import dev.wirelab.control.runtime.RunNodes;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Topology;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** Every node of a run in this JVM, on the bus in memory: virtual time (reproducible) or real time. */
@Component
public class EmbeddedRuntime implements NodeRuntime {

    public static final String NAME = "embedded";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> refusal(TimeMode mode) {
        return Optional.empty();
    }

    @Override
    public RunNodes create(long runId, String labName, Topology topology, TimeMode mode, long seed, RunTrace trace) {
        Lab.Options options = (mode == TimeMode.VIRTUAL ? Lab.Options.virtual() : Lab.Options.real())
                .withSeed(seed).withSink(trace).withoutMemoryTrace();
        return new EmbeddedNodes(runId, labName, Lab.build(topology, options));
    }
}
