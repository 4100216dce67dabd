package dev.wirelab.exercises;

import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.RunOptions;
import dev.wirelab.kit.client.WirelabClient;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.api.Test;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Student task "write the routing tables so pc1 reaches pc2" (tasks/routing/starter.yaml). The
 * grader runs the student's topology, pings pc2 from pc1 and checks the trace, hop by hop, so a
 * wrong table fails where the echo request stopped or the reply got lost.
 */
class RoutingTask {

    static final String PC2 = "10.0.2.10";

    /** Grades a student's topology: fails with the part of the timeline that went wrong. */
    static void grade(WirelabClient wirelab, String topology) {
        long lab = wirelab.createUniqueLab(topology).id();
        Trace trace;
        try (LabRun run = LabRun.start(wirelab, lab, RunOptions.virtualTime(1))) {
            run.exec("pc1", "ping -c 1 -W 2 " + PC2);
            trace = run.trace();
        }
        assertThat(trace).containsSubsequence(
                Frames.icmp(8).on("lan1").to(PC2),
                Frames.icmp(8).on("core").to(PC2),
                Frames.icmp(8).on("lan2").to(PC2),
                Frames.icmp(0).on("lan2").from(PC2),
                Frames.icmp(0).on("core").from(PC2),
                Frames.icmp(0).on("lan1").from(PC2));
    }

    @Test
    void theStarterFailsWithTheTimelineAndTheSolutionPasses() {
        WirelabClient wirelab = Journey.client();
        assertThatThrownBy(() -> grade(wirelab, Tasks.topology("routing", "starter")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected in this order")
                .hasMessageContaining("an ICMP type 8 on core")   // r1 has no route: the request stops at r1
                .hasMessageContaining("frame  #");               // with the timeline around it
        grade(wirelab, Tasks.topology("routing", "solution"));
    }
}
