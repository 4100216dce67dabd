package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.store.FrameFilter;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.control.store.TraceQueries;
import dev.wirelab.netstack.wire.ArpPacket;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@WebFluxTest(FrameController.class)
@Import(SliceConfig.class)
class FrameControllerTest {

    static final TraceQueries.FrameRow ROW = new TraceQueries.FrameRow(5, 1000, "lan1", "pc1:eth0", "pc1", 60,
            List.of("eth", "arp"), "02:00:00:00:00:0a", "ff:ff:ff:ff:ff:ff", "10.0.1.10", "10.0.1.1", null, null, null,
            null, null, "ARP who-has 10.0.1.1 tell 10.0.1.10");

    @Autowired
    WebTestClient web;
    @MockitoBean
    TraceQueries queries;
    @MockitoBean
    RunRepository runs;

    @BeforeEach
    void up() {
        when(runs.find(1)).thenReturn(Optional.of(new RunRecord(1, 7, "stopped", "virtual", 1, 0L, OffsetDateTime.now(),
                null, null, 1, 1, 0, 0, 0, 0, "embedded")));
        when(runs.find(9)).thenReturn(Optional.empty());
    }

    @Test
    void everyFilterReachesTheQueryAndTheCursorComesBack() {
        when(queries.frames(eq(1L), any())).thenReturn(new TraceQueries.Page<>(List.of(ROW), 5L));
        web.get().uri("/api/runs/1/frames?from=0&to=2000000000&segment=lan1&node=pc1&port=pc1:eth0&protocol=arp"
                        + "&address=10.0.1.0/24&l4port=53&text=who-has&after=4&limit=1")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.items[0].info").isEqualTo("ARP who-has 10.0.1.1 tell 10.0.1.10")
                .jsonPath("$.nextCursor").isEqualTo(5);
        ArgumentCaptor<FrameFilter> f = ArgumentCaptor.forClass(FrameFilter.class);
        verify(queries).frames(eq(1L), f.capture());
        assertThat(f.getValue()).isEqualTo(new FrameFilter(0L, 2_000_000_000L, "lan1", "pc1", "pc1:eth0", "arp",
                "10.0.1.0/24", 53, "who-has", null, 4L, 1));
    }

    @Test
    void oneFrameHasItsHexAndLayerTree() {
        byte[] bytes = EthernetFrame.of(MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:00:0a"), EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(MacAddress.parse("02:00:00:00:00:0a"), Ipv4Address.parse("10.0.1.10"),
                        Ipv4Address.parse("10.0.1.1")).encode()).encode();
        when(queries.frame(1, 5)).thenReturn(Optional.of(new TraceQueries.StoredFrame(ROW, bytes)));
        web.get().uri("/api/runs/1/frames/5").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.hex").value(h -> assertThat((String) h).startsWith("ffffffffffff02000000000a0806").hasSize(120))
                .jsonPath("$.layers.protocol").isEqualTo("ethernet")
                .jsonPath("$.layers.layers[0].protocol").isEqualTo("arp")
                .jsonPath("$.layers.layers[0].fields[?(@.name == 'tpa')].offset").isEqualTo(38);
        when(queries.frame(1, 6)).thenReturn(Optional.empty());
        web.get().uri("/api/runs/1/frames/6").exchange().expectStatus().isNotFound();
    }

    @Test
    void unknownRunsAre404AndBadFiltersAre400WithTheParameter() {
        web.get().uri("/api/runs/9/frames").exchange().expectStatus().isNotFound();
        when(queries.frames(eq(1L), any())).thenThrow(new BadRequestException("address", "'10.0.1.300' is neither ..."));
        web.get().uri("/api/runs/1/frames?address=10.0.1.300").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.parameter").isEqualTo("address");
        web.get().uri("/api/runs/1/frames?limit=abc").exchange().expectStatus().isBadRequest();
    }
}
