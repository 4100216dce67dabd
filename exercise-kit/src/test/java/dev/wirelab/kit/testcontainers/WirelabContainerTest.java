package dev.wirelab.kit.testcontainers;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.RunOptions;
import dev.wirelab.kit.client.WirelabApiException;
import dev.wirelab.kit.client.WirelabClient;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * WirelabContainer on the control API's image (embedded database and runtime inside it): a lab
 * given with withLab is there once it started, a run pings over three segments and the trace
 * says so; without the container's token the API answers 401. With withRuntime(DOCKER) the
 * control API in its container starts a sibling container per node and the same ping crosses them.
 */
class WirelabContainerTest {

    @Test
    void aLabInTheContainerPingsAcrossTwoRouters() throws Exception {
        DockerAvailable.assume(List.of(WirelabContainer.DEFAULT_IMAGE.asCanonicalNameString()));
        String topology = Files.readString(Path.of("..", "examples", "three-segments.yaml"));
        try (WirelabContainer wirelab = new WirelabContainer().withLab(topology)) {
            wirelab.start();
            assertThat(wirelab.lab().name()).isEqualTo("three-segments");
            assertThatThrownBy(() -> WirelabClient.connect(wirelab.getBaseUrl()).run(1))
                    .isInstanceOfSatisfying(WirelabApiException.class, e -> assertThat(e.status()).isEqualTo(401));
            WirelabClient client = wirelab.client();
            Trace trace;
            try (LabRun run = LabRun.start(client, wirelab.lab().id(), RunOptions.virtualTime(1))) {
                ExecResult ping = run.exec("pc1", "ping -c 2 10.0.2.10");
                assertThat(ping.exitCode()).as(ping.toString()).isZero();
                trace = run.trace();
            }
            assertThat(trace).hasCount(Frames.icmp(8).on("core").to("10.0.2.10"), 2)
                    .hasCount(Frames.icmp(0).on("lan1").from("10.0.2.10"), 2);
        }
    }

    @Test
    void withTheDockerRuntimeEachNodeIsASiblingContainer() throws Exception {
        DockerAvailable.assume(java.util.stream.Stream.concat(Stream.of(WirelabContainer.DEFAULT_IMAGE.asCanonicalNameString()),
                DockerAvailable.NODE_IMAGES.stream()).toList());
        String topology = Files.readString(Path.of("..", "examples", "three-segments.yaml"));
        try (WirelabContainer wirelab = new WirelabContainer().withRuntime(dev.wirelab.kit.client.Runtime.DOCKER)
                .withLab(topology)) {
            wirelab.start();
            WirelabClient client = wirelab.client();
            Trace trace;
            List<String> nodeContainers;
            var docker = org.testcontainers.DockerClientFactory.instance().client();
            try (LabRun run = LabRun.start(client, wirelab.lab().id(), RunOptions.on(dev.wirelab.kit.client.Runtime.DOCKER, 1))) {
                assertThat(run.runtime()).isEqualTo("docker");
                assertThat(run.realTime()).isTrue();
                ExecResult ping = run.exec("pc1", "ping -c 2 10.0.2.10");
                assertThat(ping.exitCode()).as(ping.toString()).isZero();
                nodeContainers = docker.listContainersCmd().withLabelFilter(java.util.Map.of(
                                "dev.wirelab.run", String.valueOf(run.id()), "dev.wirelab.lab", wirelab.lab().name()))
                        .exec().stream().map(c -> c.getLabels().get("dev.wirelab.node")).sorted().toList();
                trace = run.trace();
            }
            assertThat(nodeContainers).as("the run's node containers").containsExactly("pc1", "pc2", "r1", "r2");
            assertThat(trace).hasCount(Frames.icmp(8).on("core").to("10.0.2.10"), 2)
                    .hasCount(Frames.icmp(0).on("lan1").from("10.0.2.10"), 2);
        }
    }
}
