package dev.wirelab.control.runtime;

import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.ingest.IngestPipeline;
import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.embedded.EmbeddedRuntime;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live runs for controller slices: a real lab in the embedded runtime (virtual time) with a live hub,
 * whose trace goes nowhere (no database in a slice: its rows are counted as dropped).
 */
public final class TestRuns {

    private static final IngestPipeline NOWHERE =
            new IngestPipeline(null, FrameDecoder.standard(), IngestPipeline.Spooling.temporary(), 16, Duration.ofSeconds(1), null);

    private TestRuns() {
    }

    public static String example(String name) {
        try {
            return Files.readString(Path.of("..", "examples", name + ".yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A started virtual-time run of the topology. */
    public static LiveRun virtual(long runId, long labId, String yaml) {
        Topology t = Topologies.parseYaml(yaml);
        RunTrace trace = NOWHERE.open(runId);
        trace.discard();
        LiveHub hub = new LiveHub(1024, new LongAdder());
        trace.setListener(hub);
        RunNodes nodes = new EmbeddedRuntime().create(runId, t.name(), t, TimeMode.VIRTUAL, 1, trace);
        LiveRun lr = new LiveRun(runId, labId, t.name(), nodes, trace, hub);
        try {
            lr.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return lr;
    }

    public static void stop(LiveRun lr) {
        lr.close();
        lr.hub().complete();
    }
}
