package dev.wirelab.control.it;

import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control API is killed (SIGKILL, no shutdown hook) while a real-time run's trace is being
 * ingested, and started again on the same database: every frame it had acknowledged as stored is
 * there (and the stored counter, written in the same transactions, matches the rows exactly), the
 * run is marked interrupted, and what the run's spool held beyond the database is ingested then,
 * exactly once (what the kill took before it reached the spool counts as dropped).
 */
class KillAndRestartTest {

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
    void acknowledgedFramesSurviveSigkillAndTheRunIsMarkedInterrupted() throws Exception {
        db = new TestDatabase("pg-kill");
        app = ControlApiProcess.start(db, "kill-first");
        int port = app.port;
        HttpClient http = app.http;
        String yaml = TestRuns.example("three-segments").replace("name: three-segments", "name: killed");
        long lab = app.call("POST", "/api/labs", yaml).path("id").asLong();
        long run = app.call("POST", "/api/labs/" + lab + "/runs", "{\"timeMode\":\"real\"}").path("id").asLong();
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
            acknowledged = app.call("GET", "/api/runs/" + run, null).path("frames").path("stored").asLong();
        }
        app.kill(); // SIGKILL: no shutdown hook, no last flush

        long rows = db.count("SELECT count(*) FROM frames WHERE run_id = " + run);
        assertThat(rows).isGreaterThanOrEqualTo(acknowledged);
        // The stored counter moved in the same transactions as the rows: exactly equal, never ahead.
        assertThat(db.count("SELECT frames_stored FROM runs WHERE id = " + run)).isEqualTo(rows);
        assertThat(db.count("SELECT count(DISTINCT seq) FROM frames WHERE run_id = " + run)).isEqualTo(rows);
        assertThat(db.text("SELECT status FROM runs WHERE id = " + run)).isEqualTo("running");

        // Started again on the same database: the run is interrupted, its frames are all there, the lab can run again.
        app = ControlApiProcess.start(db, "kill-second");
        int port2 = app.port;
        JsonNode status = app.call("GET", "/api/runs/" + run, null);
        assertThat(status.path("status").asString()).isEqualTo("interrupted");
        assertThat(status.path("error").asString()).contains("killed or crashed");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (status.path("pendingRows").asLong() > 0) {
            assertThat(System.nanoTime()).as("the spool is ingested: %s", status).isLessThan(until);
            Thread.sleep(100);
            status = app.call("GET", "/api/runs/" + run, null);
        }
        long before = rows;
        rows = db.count("SELECT count(*) FROM frames WHERE run_id = " + run);
        assertThat(rows).isGreaterThanOrEqualTo(before);
        assertThat(status.path("frames").path("stored").asLong()).isEqualTo(rows);
        assertThat(db.count("SELECT frames_stored FROM runs WHERE id = " + run)).isEqualTo(rows);
        assertThat(db.count("SELECT count(DISTINCT seq) FROM frames WHERE run_id = " + run)).isEqualTo(rows);
        assertThat(db.count("SELECT count(*) FROM trace_rejects WHERE run_id = " + run)).isZero();
        System.out.printf("KillAndRestartTest: %d frames stored before the kill, %d after the spool was ingested%n",
                before, rows);
        // The counters add up: what was captured and never stored counts as dropped.
        for (String kind : new String[]{"frames", "events"}) {
            JsonNode c = status.path(kind);
            assertThat(c.path("captured").asLong()).as(kind).isEqualTo(c.path("stored").asLong() + c.path("dropped").asLong());
        }
        assertThat(status.path("frames").path("captured").asLong()).isGreaterThanOrEqualTo(acknowledged);
        assertThat(app.call("GET", "/api/runs/" + run + "/frames?limit=1000", null).path("items").size())
                .isEqualTo((int) Math.min(rows, 1000));
        HttpResponse<byte[]> pcap = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port2 + "/api/runs/" + run
                + "/capture.pcapng?view=all")).build(), HttpResponse.BodyHandlers.ofByteArray());
        Path file = Path.of("target", "captures", "KillAndRestartTest", "killed.pcapng");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.write(file, pcap.body());
        if (dev.wirelab.netstack.testkit.Tshark.available()) {
            dev.wirelab.netstack.testkit.Tshark.Verdict v = dev.wirelab.netstack.testkit.Tshark.judge(file);
            assertThat(v.problems()).isEmpty();
            assertThat(v.frames()).isEqualTo((int) rows);
        }
        long again = app.call("POST", "/api/labs/" + lab + "/runs", "{\"timeMode\":\"virtual\"}").path("id").asLong();
        assertThat(again).isGreaterThan(run);
        app.call("POST", "/api/runs/" + again + "/stop", null);
    }
}
