package dev.wirelab.control.api;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.errors.RunStartException;
import dev.wirelab.control.labs.LabService;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.TestRuns;
import dev.wirelab.control.store.LabRecord;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.TopologyException;
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

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@WebFluxTest(LabController.class)
@Import(SliceConfig.class)
class LabControllerTest {

    static final String YAML = TestRuns.example("three-segments");
    static final LabRecord LAB = new LabRecord(7, "three-segments", YAML, "yaml",
            Topologies.toJson(Topologies.parseYaml(YAML)), null, OffsetDateTime.parse("2026-01-01T00:00:00Z"));

    @Autowired
    WebTestClient web;
    @MockitoBean
    LabService labs;
    @MockitoBean
    RunManager runs;
    @MockitoBean
    RunRepository runRepo;

    @Test
    void createsFromYamlWithLocationAndTheTopologyAsJson() {
        when(labs.create(YAML, LabService.Format.YAML)).thenReturn(LAB);
        web.post().uri("/api/labs").contentType(MediaType.parseMediaType("application/yaml")).bodyValue(YAML)
                .exchange()
                .expectStatus().isCreated()
                .expectHeader().location("/api/labs/7")
                .expectBody()
                .jsonPath("$.name").isEqualTo("three-segments")
                .jsonPath("$.topology.nodes.r1.kind").isEqualTo("router")
                .jsonPath("$.sourceFormat").isEqualTo("yaml");
    }

    @Test
    void aJsonBodyIsReadAsJson() {
        String json = Topologies.toJson(Topologies.parseYaml(YAML));
        when(labs.create(json, LabService.Format.JSON)).thenReturn(LAB);
        web.post().uri("/api/labs").contentType(MediaType.APPLICATION_JSON).bodyValue(json)
                .exchange().expectStatus().isCreated();
        verify(labs).create(json, LabService.Format.JSON);
    }

    @Test
    void anExampleByName() {
        when(labs.createFromExample("three-segments")).thenReturn(LAB);
        web.post().uri("/api/labs?example=three-segments").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus().isCreated()
                .expectBody().jsonPath("$.id").isEqualTo(7);
    }

    @Test
    void anInvalidTopologyIs400WithEveryProblemAndItsPosition() {
        String bad = YAML.replace("address: 10.0.1.1/24", "address: 10.0.1.300/24");
        when(labs.create(bad, LabService.Format.YAML)).thenThrow(new TopologyException(Topologies.checkYaml(bad)));
        web.post().uri("/api/labs").contentType(MediaType.parseMediaType("text/yaml")).bodyValue(bad)
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.title").isEqualTo("Invalid topology")
                .jsonPath("$.problems[0].path").isEqualTo("nodes.r1.interfaces.eth0.address")
                .jsonPath("$.problems[0].line").isNumber()
                .jsonPath("$.problems[0].message").value(m -> org.assertj.core.api.Assertions.assertThat((String) m)
                        .contains("300"));
    }

    @Test
    void anEmptyBodyIs400() {
        web.post().uri("/api/labs").contentType(MediaType.parseMediaType("application/yaml")).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.parameter").isEqualTo("body");
    }

    @Test
    void aNameTakenIs409() {
        when(labs.create(YAML, LabService.Format.YAML)).thenThrow(new ConflictException("a lab named 'three-segments' already exists"));
        web.post().uri("/api/labs").contentType(MediaType.parseMediaType("application/yaml")).bodyValue(YAML)
                .exchange().expectStatus().isEqualTo(409);
    }

    @Test
    void validateAnswers200WhenValidAnd400WithProblemsWhenNot() {
        when(labs.check(YAML, LabService.Format.YAML)).thenReturn(List.of());
        web.post().uri("/api/labs/validate").contentType(MediaType.parseMediaType("application/yaml")).bodyValue(YAML)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.valid").isEqualTo(true);
        String bad = YAML + "bogus: 1\n";
        when(labs.check(bad, LabService.Format.YAML)).thenReturn(Topologies.checkYaml(bad));
        web.post().uri("/api/labs/validate").contentType(MediaType.parseMediaType("application/yaml")).bodyValue(bad)
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.valid").isEqualTo(false).jsonPath("$.problems[0].path").isEqualTo("bogus");
    }

    @Test
    void anUnknownLabIs404() {
        when(labs.get(99)).thenThrow(new NotFoundException("no lab 99"));
        web.get().uri("/api/labs/99").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.detail").isEqualTo("no lab 99");
    }

    @Test
    void listsAndDeletes() {
        when(labs.list()).thenReturn(List.of(LAB));
        when(runs.liveForLab(7)).thenReturn(Optional.empty());
        web.get().uri("/api/labs").exchange().expectStatus().isOk().expectBody().jsonPath("$[0].name").isEqualTo("three-segments");
        web.delete().uri("/api/labs/7").exchange().expectStatus().isNoContent();
        verify(labs).delete(7);
    }

    @Test
    void startsARunWithTimeModeAndSeed() {
        LiveRun lr = TestRuns.virtual(3, 7, YAML);
        try {
            when(runs.start(eq(7L), eq(TimeMode.VIRTUAL), eq(5L), any())).thenReturn(lr);
            when(runRepo.find(3)).thenReturn(Optional.of(new RunRecord(3, 7, "running", "virtual", 5, 0L,
                    OffsetDateTime.now(), null, null, 0, 0, 0, 0, 0, 0, "embedded")));
            web.post().uri("/api/labs/7/runs").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"timeMode\":\"virtual\",\"seed\":5}")
                    .exchange()
                    .expectStatus().isCreated()
                    .expectHeader().location("/api/runs/3")
                    .expectBody()
                    .jsonPath("$.live").isEqualTo(true)
                    .jsonPath("$.nodes.length()").isEqualTo(4)
                    .jsonPath("$.nodes[0].interfaces[0].addresses[0]").isEqualTo("10.0.1.10/24");
        } finally {
            TestRuns.stop(lr);
        }
    }

    @Test
    void aBadTimeModeIs400AndARunThatCannotStartIs422WithItsReason() {
        web.post().uri("/api/labs/7/runs").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"timeMode\":\"fast\"}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.parameter").isEqualTo("timeMode");
        when(runs.start(eq(7L), any(), any(), any())).thenThrow(new RunStartException(4,
                "run 4 of lab x could not start: the bus cannot listen for VXLAN on /10.255.0.1:4789: Cannot assign requested address", null));
        web.post().uri("/api/labs/7/runs").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"timeMode\":\"real\"}")
                .exchange().expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.runId").isEqualTo(4)
                .jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d)
                        .contains("cannot listen for VXLAN"));
        when(runs.start(eq(8L), any(), any(), any())).thenThrow(new ConflictException("lab x already has a live run (3)"));
        web.post().uri("/api/labs/8/runs").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus().isEqualTo(409);
        when(labs.get(anyLong())).thenThrow(new NotFoundException("no lab 9"));
        web.get().uri("/api/labs/9/runs").exchange().expectStatus().isNotFound();
    }
}
