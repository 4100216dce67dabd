package dev.wirelab.control.it;

import dev.wirelab.control.ControlApiApplication;
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
 * The control API in its own JVM (main classes and runtime libraries only, no test classes), on a
 * database the test owns: so a test can kill it (SIGKILL, no shutdown hook) and start it again.
 */
final class ControlApiProcess implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final int port;
    final Process process;

    private ControlApiProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts it on {@code db} with the given extra arguments and waits until it is healthy. */
    static ControlApiProcess start(TestDatabase db, String logName, String... extraArgs) throws Exception {
        String cp = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && !e.contains("-SNAPSHOT-tests"))
                .collect(Collectors.joining(File.pathSeparator));
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", cp, ControlApiApplication.class.getName(),
                "--server.port=" + port, "--spring.datasource.url=" + db.url(),
                "--wirelab.examples=../examples", "--wirelab.import-examples=false"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", logName + ".log").toFile()).start();
        ControlApiProcess api = new ControlApiProcess(port, p);
        api.awaitUp();
        return api;
    }

    JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120));
        if (!method.equals("GET")) {
            // A JSON or YAML type on every state-changing request, with or without a body (ApiGuard).
            b.header("Content-Type", body == null || body.startsWith("{") ? "application/json" : "application/yaml");
        }
        HttpResponse<String> r = http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    private void awaitUp() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            assertThat(process.isAlive()).as("the control API exited; see target/*.log").isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
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

    /** SIGKILL: no shutdown hook, no last flush, nothing cleaned up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }
}
