package dev.wirelab.control.it;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: web-ui/e2e/e2e.mjs (playwright-core driving Debian's Chromium)
 * against this application on a random port, with the embedded runtime and PostgreSQL: the journey
 * from its example, browse in the laptop's terminal, the packet list and the SYN's flag byte; and a
 * lab started on the docker runtime from the page (skipped without Docker and the node images,
 * failed instead under WIRELAB_REQUIRE_DOCKER=true, as the other docker tests).
 * Screenshots at 1280x800 in web-ui/target/screenshots. Without Chromium it is skipped, except in
 * CI (CI=true), where it fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wirelab.db.embedded.data-dir=target/pg-dashboard",
        "wirelab.db.embedded.clean=true",
        "wirelab.examples=../examples",
        "wirelab.import-examples=false"})
// Its own application, closed after it (its runs, its embedded PostgreSQL): no other test shares it.
@DirtiesContext
class DashboardE2ETest {

    static final Path WEB_UI = Path.of("..", "web-ui").toAbsolutePath().normalize();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @LocalServerPort
    int port;

    @Test
    void theJourneyInTheBrowser() throws Exception {
        String out = runE2e("journey", 150);
        assertThat(out).contains("packets: protocols in the list:", "flags 0x02 (SYN) at byte 47 highlighted");
        assertThat(WEB_UI.resolve("target/screenshots/packets.png")).isNotEmptyFile();
    }

    /** A lab started on the docker runtime from the page: a terminal in a container, its frames listed, stop. */
    @Test
    void aContainerRunFromThePage() throws Exception {
        DockerCheck.require();
        String out = runE2e("docker", 180);
        assertThat(out).contains("on the docker runtime", "across containers exit 0", "run stopped, lab deleted");
        assertThat(WEB_UI.resolve("target/screenshots/docker-packets.png")).isNotEmptyFile();
    }

    /** Runs web-ui/e2e/e2e.mjs with WIRELAB_E2E={@code part}; its output. */
    private String runE2e(String part, int seconds) throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!Files.isExecutable(CHROMIUM)) {
            assertThat(ci).as("CI needs Chromium for the dashboard test (.ci/run installs it): %s", CHROMIUM).isFalse();
            assumeTrue(false, "no Chromium at " + CHROMIUM + ": apt-get install -y chromium to run the dashboard test");
        }
        assertThat(WEB_UI.resolve("node_modules/playwright-core")).as("web-ui's npm ci ran (the web-ui module builds first)")
                .isDirectory();
        Path log = Path.of("target", "dashboard-e2e-" + part + ".log").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/e2e.mjs").directory(WEB_UI.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("WIRELAB_URL", "http://127.0.0.1:" + port);
        pb.environment().put("CHROMIUM", CHROMIUM.toString());
        pb.environment().put("WIRELAB_SCREENSHOTS", WEB_UI.resolve("target/screenshots").toString());
        pb.environment().put("WIRELAB_E2E", part);
        Process p = pb.start();
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(ended).as("the browser test ended within %d s:%n%s", seconds, out).isTrue();
        assertThat(p.exitValue()).as("web-ui/e2e/e2e.mjs (log %s):%n%s", log, out).isZero();
        return out;
    }
}
