package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.RunOptions;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.client.WirelabClient;
import dev.wirelab.kit.junit.EmbeddedWirelab;
import dev.wirelab.kit.testcontainers.DockerAvailable;
import dev.wirelab.kit.trace.Trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The seeds' journey (examples/journey.yaml) as the exercises' students live it: pc1 boots and
 * leases, pings its gateway, browses www.example.com twice, digs a name that does not exist twice, and traceroutes
 * to the web server. One run per runtime, shared by the exercises that read it (a docker run takes
 * a while to deploy); a broken variant of the lab (the mutation checks) gets a run of its own.
 */
final class Journey {

    static final String PC1 = "pc1";
    static final String GATEWAY = "192.168.1.1";
    static final String RESOLVER = "198.51.100.53";
    static final String ROOT = "198.18.0.11";
    static final String COM = "198.18.0.12";
    static final String EXAMPLE_NS = "93.184.216.53";
    static final String WEB = "93.184.216.34";
    static final String NO_SUCH_NAME = "nosuch.example.com";

    record Lived(Trace trace, List<ExecResult> results) {
        ExecResult result(String commandStart, int nth) {
            return results.stream().filter(r -> r.command().startsWith(commandStart)).skip(nth).findFirst()
                    .orElseThrow(() -> new AssertionError("no command " + commandStart + " #" + nth + " in " + results));
        }
    }

    private static final Map<Runtime, Lived> SHARED = new EnumMap<>(Runtime.class);

    private Journey() {
    }

    static WirelabClient client() {
        return EmbeddedWirelab.client();
    }

    /** The journey's topology as the examples hold it. */
    static String topology() {
        try {
            return Files.readString(EmbeddedWirelab.examplesDir().resolve("journey.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared journey on this runtime (docker: skipped without an engine and images, failed in CI). */
    static synchronized Lived on(Runtime runtime) {
        if (runtime == Runtime.DOCKER) {
            DockerAvailable.assume(DockerAvailable.NODE_IMAGES);
        }
        return SHARED.computeIfAbsent(runtime, rt -> live(topology(), rt));
    }

    /**
     * A run of {@code topology} as a lab of its own, on this runtime with this seed: skipped on
     * docker without an engine and the node images (failed in CI). Every exercise starts its lab so.
     */
    static LabRun start(Runtime runtime, String topology, long seed) {
        if (runtime == Runtime.DOCKER) {
            DockerAvailable.assume(DockerAvailable.NODE_IMAGES);
        }
        WirelabClient c = client();
        return LabRun.start(c, c.createUniqueLab(topology).id(), RunOptions.on(runtime, seed));
    }

    /** A run of this topology with the journey's steps, on this runtime. */
    static Lived live(String topology, Runtime runtime) {
        try (LabRun run = start(runtime, topology, 4)) {
            run.awaitEvent(PC1, "dhcp", "configured", Duration.ofSeconds(60));
            run.exec(PC1, "ping -c 1 " + GATEWAY);
            run.exec(PC1, "browse http://www.example.com/");
            run.exec(PC1, "browse http://www.example.com/");
            run.exec(PC1, "dig " + NO_SUCH_NAME);
            run.exec(PC1, "dig " + NO_SUCH_NAME);
            run.exec(PC1, "traceroute -n " + WEB);
            run.pass(Duration.ofSeconds(2)); // the last ACKs and FINs cross the network
            Trace trace = run.trace();
            save(trace, runtime);
            return new Lived(trace, run.results());
        }
    }

    /** The whole timeline in target/timelines/, for the teacher to read beside the assertions. */
    static void save(Trace trace, Runtime runtime) {
        try {
            Path dir = Path.of("target", "timelines");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("run-" + trace.runId() + "-" + runtime.apiName() + ".txt"), trace.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
