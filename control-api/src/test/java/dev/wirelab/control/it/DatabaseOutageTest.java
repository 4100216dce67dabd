package dev.wirelab.control.it;

import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL goes away for 10 s during a real-time run: the trace waits in the run's spool on disk
 * (the status shows the pending rows and the lag), nothing is dropped; the run goes on; when the
 * database is back, ingest resumes by itself and catches up; in the end every captured frame is
 * stored, exactly once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wirelab.ingest.retry-max=500ms",
        "wirelab.examples=../examples",
        "wirelab.import-examples=false"})
@AutoConfigureWebTestClient(timeout = "60s")
class DatabaseOutageTest {

    static final TestDatabase DB = new TestDatabase("pg-outage");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry r) {
        r.add("spring.datasource.url", DB::url);
    }

    @AfterAll
    static void down() {
        DB.close();
    }

    @Autowired
    WebTestClient web;

    JsonNode status(long run) {
        return web.get().uri("/api/runs/" + run).exchange().expectStatus().isOk().expectBody(JsonNode.class)
                .returnResult().getResponseBody();
    }

    JsonNode await(long run, Predicate<JsonNode> until, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        JsonNode s = status(run);
        while (!until.test(s)) {
            assertThat(System.nanoTime()).as("waiting for run %d, last status %s", run, s).isLessThan(end);
            Thread.sleep(200);
            s = status(run);
        }
        return s;
    }

    String ingestHealth() {
        return web.get().uri("/actuator/health/ingest").exchange().expectBody(JsonNode.class).returnResult()
                .getResponseBody().path("status").asString();
    }

    @Test
    void ingestSurvivesTenSecondsWithoutTheDatabase() throws Exception {
        String yaml = TestRuns.example("three-segments").replace("name: three-segments", "name: outage");
        long lab = web.post().uri("/api/labs").contentType(MediaType.parseMediaType("application/yaml")).bodyValue(yaml)
                .exchange().expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody()
                .path("id").asLong();
        long run = web.post().uri("/api/labs/" + lab + "/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"timeMode\":\"real\"}").exchange().expectStatus().isCreated().expectBody(JsonNode.class)
                .returnResult().getResponseBody().path("id").asLong();
        // Steady traffic for the whole test: about 600 frames/s over the three segments.
        CompletableFuture<JsonNode> ping = CompletableFuture.supplyAsync(() -> web.post()
                .uri("/api/runs/" + run + "/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping -q -i 0.01 -w 25 10.0.2.10\",\"timeout\":\"40s\"}")
                .exchange().expectBody(JsonNode.class).returnResult().getResponseBody());
        await(run, s -> s.path("frames").path("stored").asLong() > 200, Duration.ofSeconds(30));
        assertThat(ingestHealth()).isEqualTo("UP");

        DB.stop();
        long stopped = System.nanoTime();
        // The run goes on; its status (from memory) shows the frames the bus keeps capturing, waiting in the spool.
        JsonNode during = await(run, s -> s.path("pendingRows").asLong() > 3000, Duration.ofSeconds(10));
        assertThat(ingestHealth()).isEqualTo("DOWN");
        long storedDuring = during.path("frames").path("stored").asLong();
        Thread.sleep(Math.max(0, 10_000 - (System.nanoTime() - stopped) / 1_000_000));
        JsonNode late = status(run);
        assertThat(late.path("frames").path("stored").asLong()).isEqualTo(storedDuring);
        assertThat(late.path("frames").path("dropped").asLong()).isZero();
        assertThat(late.path("ingestLagSeconds").asDouble()).isGreaterThan(5);
        assertThat(late.path("pendingRows").asLong()).isGreaterThan(during.path("pendingRows").asLong());

        DB.start();
        JsonNode after = await(run, s -> s.path("frames").path("stored").asLong() > storedDuring + 500, Duration.ofSeconds(30));
        assertThat(ingestHealth()).isEqualTo("UP");
        assertThat(after.path("live").asBoolean()).isTrue();

        assertThat(ping.get().path("exitCode").asInt()).isZero();
        JsonNode end = web.post().uri("/api/runs/" + run + "/stop").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        end = await(run, s -> s.path("pendingRows").asLong() == 0, Duration.ofSeconds(60));
        long captured = end.path("frames").path("captured").asLong();
        long stored = end.path("frames").path("stored").asLong();
        long dropped = end.path("frames").path("dropped").asLong();
        assertThat(dropped).isZero();
        assertThat(stored).isEqualTo(captured);
        assertThat(end.path("events").path("stored").asLong()).isEqualTo(end.path("events").path("captured").asLong());
        // Acknowledged means there: the database holds exactly the frames counted as stored.
        assertThat(DB.count("SELECT count(*) FROM frames WHERE run_id = " + run)).isEqualTo(stored);
        assertThat(DB.count("SELECT frames_dropped FROM runs WHERE id = " + run)).isEqualTo(dropped);
        // The capture of what was stored (the outage left no gap) is a clean pcapng.
        java.nio.file.Path file = java.nio.file.Path.of("target", "captures", "DatabaseOutageTest", "outage.pcapng");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.deleteIfExists(file);
        // Streamed to the file as it comes (a few MB: more than a client would buffer).
        org.springframework.core.io.buffer.DataBufferUtils.write(web.get().uri("/api/runs/" + run + "/capture.pcapng?view=all")
                .exchange().expectStatus().isOk().returnResult(org.springframework.core.io.buffer.DataBuffer.class)
                .getResponseBody(), file).block(Duration.ofSeconds(60));
        if (dev.wirelab.netstack.testkit.Tshark.available()) {
            dev.wirelab.netstack.testkit.Tshark.Verdict v = dev.wirelab.netstack.testkit.Tshark.judge(file);
            assertThat(v.problems()).isEmpty();
            assertThat(v.frames()).isEqualTo((int) stored);
        }
        JsonNode metric = web.get().uri("/actuator/metrics/wirelab.ingest.frames.dropped").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(metric.path("measurements").get(0).path("value").asDouble()).isZero();
    }
}
