package dev.wirelab.control.api;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.TestRuns;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static org.mockito.Mockito.when;

@WebFluxTest(RunController.class)
@Import(SliceConfig.class)
class RunControllerTest {

    @Autowired
    WebTestClient web;
    @MockitoBean
    RunManager runs;
    @MockitoBean
    RunRepository repo;
    LiveRun lr;

    static RunRecord record(long id, String status) {
        return new RunRecord(id, 7, status, "virtual", 1, 0L, OffsetDateTime.now(), null,
                "stopped".equals(status) ? null : "the control API stopped while this run was live", 10, 8, 2, 30, 30, 0, "embedded");
    }

    @BeforeEach
    void up() {
        lr = TestRuns.virtual(3, 7, TestRuns.example("three-segments"));
    }

    @AfterEach
    void down() {
        TestRuns.stop(lr);
    }

    @Test
    void aLiveRunShowsLabTimeCountersAndEveryNode() {
        when(repo.find(3)).thenReturn(Optional.of(record(3, "running")));
        when(runs.live(3)).thenReturn(Optional.of(lr));
        web.get().uri("/api/runs/3").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("running")
                .jsonPath("$.live").isEqualTo(true)
                .jsonPath("$.labTimeNanos").isEqualTo(0)
                .jsonPath("$.frames.captured").isNumber()
                .jsonPath("$.nodes[?(@.name == 'r1')].kind").isEqualTo("router")
                .jsonPath("$.nodes[?(@.name == 'r1')].running").isEqualTo(true);
    }

    @Test
    void anEndedRunShowsItsStoredCountersAndWhy() {
        when(repo.find(4)).thenReturn(Optional.of(record(4, "interrupted")));
        when(runs.live(4)).thenReturn(Optional.empty());
        web.get().uri("/api/runs/4").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("interrupted")
                .jsonPath("$.live").isEqualTo(false)
                .jsonPath("$.frames.stored").isEqualTo(8)
                .jsonPath("$.frames.dropped").isEqualTo(2)
                .jsonPath("$.error").isEqualTo("the control API stopped while this run was live");
        when(repo.recent(50)).thenReturn(List.of(record(4, "interrupted")));
        web.get().uri("/api/runs").exchange().expectStatus().isOk().expectBody().jsonPath("$[0].id").isEqualTo(4);
    }

    @Test
    void unknownRunsAre404() {
        when(repo.find(99)).thenReturn(Optional.empty());
        web.get().uri("/api/runs/99").exchange().expectStatus().isNotFound().expectBody().jsonPath("$.detail").isEqualTo("no run 99");
    }

    @Test
    void advancingMovesTheVirtualClockByExactlyTheDuration() {
        when(runs.requireLive(3)).thenReturn(lr);
        web.post().uri("/api/runs/3/advance").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"duration\":\"2.5s\"}")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.labTimeNanos").isEqualTo(2_500_000_000L);
        web.post().uri("/api/runs/3/advance").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"duration\":\"5 parsecs\"}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.parameter").isEqualTo("duration");
    }

    @Test
    void stoppingAnEndedRunIs409() {
        when(runs.stop(4)).thenThrow(new ConflictException("run 4 is not live (it is stopped)"));
        web.post().uri("/api/runs/4/stop").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus().isEqualTo(409);
        when(runs.stop(3)).thenReturn(record(3, "stopped"));
        web.post().uri("/api/runs/3/stop").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stopped");
    }
}
