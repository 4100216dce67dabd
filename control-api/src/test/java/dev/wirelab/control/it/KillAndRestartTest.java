package dev.wirelab.control.it;

import dev.wirelab.control.ControlApiApplication;
import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control API is killed (SIGKILL, no shutdown hook) while a real-time run's trace is being
 * ingested, and started again on the same database: every frame it had acknowledged as stored is
 * there (and the stored counter, written in the same transactions, matches the rows exactly), and
 * the run is marked interrupted.
 */
class KillAndRestartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    TestDatabase db;
    Process app;

    @AfterEach
    void down() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
        if (db != null) {
            db.close();
        }
    }

    /** The application in its own JVM: main classes and runtime libraries only (no test classes). */
    Process launch(int port, String name) throws IOException {
        String cp = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && !e.contains("netstack-0.1.0-SNAPSHOT-tests"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", cp, ControlApiApplication.class.getName(),
                "--server.port=" + port, "--spring.datasource.url=" + db.url(),
                "--wirelab.examples=../examples", "--wirelab.import-examples=false"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", name + ".log").toFile()).start();
    }

    JsonNode call(String method, int port, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/yaml");
        }
        HttpResponse<String> r = http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    void awaitUp(int port, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            assertThat(p.isAlive()).as("the control API exited; see target/*.log").isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the control API did not come up in 120 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void acknowledgedFramesSurviveSigkillAndTheRunIsMarkedInterrupted() throws Exception {
        db = new TestDatabase("pg-kill");
        int port = freePort();
        app = launch(port, "kill-first");
        awaitUp(port, app);
        String yaml = TestRuns.example("three-segments").replace("name: three-segments", "name: killed");
        long lab = call("POST", port, "/api/labs", yaml).path("id").asLong();
        long run = call("POST", port, "/api/labs/" + lab + "/runs", "{\"timeMode\":\"real\"}").path("id").asLong();
        // Traffic that outlasts the process: answered only if the process lives (it will not).
        http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs/" + run + "/nodes/pc1/exec"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"ping -q -i 0.005 -w 60 10.0.2.10\",\"timeout\":\"90s\"}"))
                .build(), HttpResponse.BodyHandlers.discarding());
        long acknowledged = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged < 1000) {
            assertThat(System.nanoTime()).as("frames stored so far: %d", acknowledged).isLessThan(end);
            Thread.sleep(100);
            acknowledged = call("GET", port, "/api/runs/" + run, null).path("frames").path("stored").asLong();
        }
        app.destroyForcibly(); // SIGKILL: no shutdown hook, no last flush
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();

        long rows = db.count("SELECT count(*) FROM frames WHERE run_id = " + run);
        assertThat(rows).isGreaterThanOrEqualTo(acknowledged);
        // The stored counter moved in the same transactions as the rows: exactly equal, never ahead.
        assertThat(db.count("SELECT frames_stored FROM runs WHERE id = " + run)).isEqualTo(rows);
        assertThat(db.count("SELECT count(DISTINCT seq) FROM frames WHERE run_id = " + run)).isEqualTo(rows);
        assertThat(db.text("SELECT status FROM runs WHERE id = " + run)).isEqualTo("running");

        // Started again on the same database: the run is interrupted, its frames are all there, the lab can run again.
        int port2 = freePort();
        app = launch(port2, "kill-second");
        awaitUp(port2, app);
        JsonNode status = call("GET", port2, "/api/runs/" + run, null);
        assertThat(status.path("status").asString()).isEqualTo("interrupted");
        assertThat(status.path("error").asString()).contains("killed or crashed");
        assertThat(status.path("frames").path("stored").asLong()).isEqualTo(rows);
        assertThat(call("GET", port2, "/api/runs/" + run + "/frames?limit=1000", null).path("items").size())
                .isEqualTo((int) Math.min(rows, 1000));
        HttpResponse<byte[]> pcap = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port2 + "/api/runs/" + run
                + "/capture.pcapng")).build(), HttpResponse.BodyHandlers.ofByteArray());
        Path file = Path.of("target", "captures", "KillAndRestartTest", "killed.pcapng");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.write(file, pcap.body());
        if (dev.wirelab.netstack.testkit.Tshark.available()) {
            dev.wirelab.netstack.testkit.Tshark.Verdict v = dev.wirelab.netstack.testkit.Tshark.judge(file);
            assertThat(v.problems()).isEmpty();
            assertThat(v.frames()).isEqualTo((int) rows);
        }
        long again = call("POST", port2, "/api/labs/" + lab + "/runs", "{\"timeMode\":\"virtual\"}").path("id").asLong();
        assertThat(again).isGreaterThan(run);
        call("POST", port2, "/api/runs/" + again + "/stop", null);
    }
}
