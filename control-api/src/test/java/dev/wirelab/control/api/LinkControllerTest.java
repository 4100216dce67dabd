package dev.wirelab.control.api;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

@WebFluxTest(LinkController.class)
@Import(SliceConfig.class)
class LinkControllerTest {

    @Autowired
    WebTestClient web;
    @MockitoBean
    RunManager runs;
    LiveRun lr;

    @BeforeEach
    void up() {
        lr = TestRuns.virtual(3, 7, TestRuns.example("three-segments"));
        when(runs.requireLive(3)).thenReturn(lr);
        when(runs.requireLive(4)).thenThrow(new ConflictException("run 4 is not live (it is stopped)"));
    }

    @AfterEach
    void down() {
        TestRuns.stop(lr);
    }

    @Test
    void readsTheTopologysImpairments() {
        web.get().uri("/api/runs/3/links").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.length()").isEqualTo(3)
                .jsonPath("$[?(@.segment == 'core')].impairments.delay").isEqualTo("5ms")
                .jsonPath("$[?(@.segment == 'core')].impairments.jitter").isEqualTo("1ms")
                .jsonPath("$[?(@.segment == 'core')].ports[0]").isEqualTo("r1:eth1");
    }

    @Test
    void patchKeepsWhatIsNotGivenPutReplacesAndTheBusUsesItAtOnce() {
        web.patch().uri("/api/runs/3/links/core").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"loss\":\"100%\"}")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.impairments.loss").isEqualTo(1.0)
                .jsonPath("$.impairments.delay").isEqualTo("5ms");
        assertThat(lr.lab().bus().segment("core").impairments().loss()).isEqualTo(1.0);
        // With every frame lost on the core, pc2 is unreachable.
        List<String> out = new CopyOnWriteArrayList<>();
        assertThat(lr.exec("pc1", "ping -c 1 -W 1 10.0.2.10", Duration.ofSeconds(5), out::add).join().exitCode()).isEqualTo(1);
        web.put().uri("/api/runs/3/links/core").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"delay\":\"1ms\"}")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.impairments.loss").isEqualTo(0.0)
                .jsonPath("$.impairments.delay").isEqualTo("1ms")
                .jsonPath("$.impairments.jitter").isEqualTo("0s");
        assertThat(lr.exec("pc1", "ping -c 1 10.0.2.10", Duration.ofSeconds(5), out::add).join().exitCode()).isZero();
    }

    @Test
    void badImpairmentsAre400AndUnknownSegments404AndEndedRuns409() {
        web.patch().uri("/api/runs/3/links/core").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"loss\":\"2\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).startsWith("loss"));
        web.patch().uri("/api/runs/3/links/core").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"latency\":\"2ms\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("unknown impairment 'latency'"));
        web.get().uri("/api/runs/3/links/wan").exchange().expectStatus().isNotFound();
        web.get().uri("/api/runs/4/links").exchange().expectStatus().isEqualTo(409);
    }
}
