package dev.wirelab.control.api;

import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

@WebFluxTest(NodeController.class)
@Import(SliceConfig.class)
class NodeControllerTest {

    @Autowired
    WebTestClient web;
    @MockitoBean
    RunManager runs;
    LiveRun lr;

    @BeforeEach
    void up() {
        lr = TestRuns.virtual(3, 7, TestRuns.example("three-segments"));
        when(runs.requireLive(3)).thenReturn(lr);
        when(runs.requireLive(9)).thenThrow(new NotFoundException("no run 9"));
    }

    @AfterEach
    void down() {
        TestRuns.stop(lr);
    }

    @Test
    void execAnswersWithTheWholeOutputAndLabTimes() {
        web.post().uri("/api/runs/3/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping -c 2 10.0.2.10\"}")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.exitCode").isEqualTo(0)
                .jsonPath("$.timedOut").isEqualTo(false)
                .jsonPath("$.output[1]").value(l -> assertThat((String) l).startsWith("64 bytes from 10.0.2.10: icmp_seq=1 ttl=62"))
                .jsonPath("$.endedAtNanos").value(n -> assertThat(((Number) n).longValue()).isGreaterThan(1_000_000_000L));
    }

    @Test
    void aProgramThatDoesNotEndInTimeIsStoppedWith124() {
        web.post().uri("/api/runs/3/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping 10.0.2.10\",\"timeout\":\"3s\"}")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.exitCode").isEqualTo(124)
                .jsonPath("$.timedOut").isEqualTo(true)
                .jsonPath("$.endedAtNanos").value(n -> assertThat(((Number) n).longValue()).isBetween(2_000_000_000L, 3_000_000_000L));
    }

    @Test
    void streamedExecSendsEachLineThenTheExit() {
        List<ServerSentEvent<String>> events = web.post().uri("/api/runs/3/nodes/pc1/exec/stream")
                .contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue("{\"command\":\"traceroute -n -q 1 10.0.2.10\"}")
                .exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody().collectList().block(java.time.Duration.ofSeconds(30));
        assertThat(events).extracting(ServerSentEvent::event).containsExactly("output", "output", "output", "output", "exit");
        assertThat(events.get(3).data()).contains("10.0.2.10");
        assertThat(events.get(4).data()).contains("\"exitCode\":0");
    }

    @Test
    void stateHasInterfacesRoutesArpAndCounters() {
        web.post().uri("/api/runs/3/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping -c 1 10.0.1.1\"}").exchange().expectStatus().isOk();
        web.get().uri("/api/runs/3/nodes/pc1").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.kind").isEqualTo("host")
                .jsonPath("$.interfaces[0].addresses[0]").isEqualTo("10.0.1.10/24")
                .jsonPath("$.routes[?(@.destination == 'default')].gateway").isEqualTo("10.0.1.1")
                .jsonPath("$.arp[0].ip").isEqualTo("10.0.1.1")
                .jsonPath("$.arp[0].state").isEqualTo("REACHABLE")
                .jsonPath("$.counters['icmp.sent']").isEqualTo(1)
                .jsonPath("$.sockets").isArray();
        web.get().uri("/api/runs/3/nodes").exchange().expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(4);
    }

    @Test
    void unknownNodesAndRunsAre404AndAMissingCommandIs400() {
        web.get().uri("/api/runs/3/nodes/pc9").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("no node 'pc9'"));
        web.post().uri("/api/runs/3/nodes/pc9/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping 1.2.3.4\"}").exchange().expectStatus().isNotFound();
        web.post().uri("/api/runs/9/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"command\":\"ping 1.2.3.4\"}").exchange().expectStatus().isNotFound();
        web.post().uri("/api/runs/3/nodes/pc1/exec").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.parameter").isEqualTo("command");
    }
}
