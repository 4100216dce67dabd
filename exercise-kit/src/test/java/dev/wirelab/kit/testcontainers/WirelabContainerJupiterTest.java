package dev.wirelab.kit.testcontainers;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.RunOptions;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.opentest4j.TestAbortedException;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.util.List;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * WirelabContainer the way a teacher's test class declares it: {@code @Testcontainers} starts the
 * {@code @Container} field once for the class and stops it after; the tests share its lab.
 */
@Testcontainers
@EnabledIf("imageHere")
class WirelabContainerJupiterTest {

    static final String LAB = """
            name: two-hosts
            segments: [lan]
            nodes:
              a: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }
              b: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } } }
            """;

    @Container
    static final WirelabContainer WIRELAB = new WirelabContainer().withLab(LAB);

    /** Skipped without Docker or the image; with WIRELAB_REQUIRE_DOCKER=true that is a failure instead. */
    static boolean imageHere() {
        try {
            DockerAvailable.assume(List.of(WirelabContainer.DEFAULT_IMAGE.asCanonicalNameString()));
            return true;
        } catch (TestAbortedException e) {
            return false;
        }
    }

    @Test
    void theContainerIsUpWithItsLab() {
        assertThat(WIRELAB.isRunning()).isTrue();
        assertThat(WIRELAB.lab().name()).isEqualTo("two-hosts");
        assertThat(WIRELAB.getBaseUrl()).matches("http://[^:/]+:\\d+");
    }

    @Test
    void aPingOnTheLabGoesThroughArpFirst() {
        Trace trace;
        try (LabRun run = LabRun.start(WIRELAB.client(), WIRELAB.lab().id(), RunOptions.virtualTime(3))) {
            ExecResult ping = run.exec("a", "ping -c 1 10.0.0.2");
            assertThat(ping.exitCode()).as(ping.toString()).isZero();
            trace = run.trace();
        }
        assertThat(trace).containsSubsequence(Frames.arpRequest("10.0.0.2").on("lan"), Frames.arpReply("10.0.0.2").on("lan"),
                Frames.icmp(8).on("lan").to("10.0.0.2"), Frames.icmp(0).on("lan").from("10.0.0.2"))
                .has(Events.of("a", "arp", "reply_received"));
    }
}
