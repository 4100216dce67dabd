package dev.wirelab.control.it;

import com.github.dockerjava.api.DockerClient;
import dev.wirelab.control.runtime.docker.DockerRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control API is killed (SIGKILL) while a docker run is live: its node containers and network
 * outlive it. Started again on the same database, it removes them (they are its installation's,
 * and no run of them is live any more): no orphan remains.
 */
class DockerKillTest {

    TestDatabase db;
    ControlApiProcess app;

    @AfterEach
    void down() throws Exception {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aControlApiKilledDuringADockerRunLeavesNoOrphansOnceItIsBack() throws Exception {
        DockerClient docker = DockerCheck.require();
        db = new TestDatabase("pg-docker-kill");
        app = ControlApiProcess.start(db, "docker-kill-first", "--wirelab.runtime.default=docker");
        long lab = app.call("POST", "/api/labs?example=three-segments", null).path("id").asLong();
        long run = app.call("POST", "/api/labs/" + lab + "/runs", "{}").path("id").asLong();
        assertThat(app.call("GET", "/api/runs/" + run, null).path("runtime").asString()).isEqualTo("docker");
        String installation = docker.listContainersCmd().withLabelFilter(Map.of(DockerRuntime.LABEL_RUN,
                Long.toString(run))).exec().getFirst().getLabels().get(DockerRuntime.LABEL_INSTALLATION);
        Map<String, String> ours = Map.of(DockerRuntime.LABEL_INSTALLATION, installation);
        List<String> filter = List.of(DockerRuntime.LABEL_INSTALLATION + "=" + installation);

        app.kill();
        assertThat(docker.listContainersCmd().withLabelFilter(ours).exec()).as("containers outlive a killed API")
                .hasSize(4);
        assertThat(docker.listNetworksCmd().withFilter("label", filter).exec()).hasSize(1);

        app = ControlApiProcess.start(db, "docker-kill-second", "--wirelab.runtime.default=docker");
        long end = System.nanoTime() + 30_000_000_000L;
        while (!docker.listContainersCmd().withShowAll(true).withLabelFilter(ours).exec().isEmpty()
                || !docker.listNetworksCmd().withFilter("label", filter).exec().isEmpty()) {
            assertThat(System.nanoTime()).as("the orphans are removed").isLessThan(end);
            Thread.sleep(200);
        }
        assertThat(app.call("GET", "/api/runs/" + run, null).path("status").asString()).isEqualTo("interrupted");
        // The lab runs again on containers.
        long again = app.call("POST", "/api/labs/" + lab + "/runs", "{}").path("id").asLong();
        assertThat(app.call("POST", "/api/runs/" + again + "/nodes/pc1/exec",
                "{\"command\":\"ping -c 1 10.0.2.10\"}").path("exitCode").asInt()).isZero();
        app.call("POST", "/api/runs/" + again + "/stop", null);
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(ours).exec()).isEmpty();
    }
}
