package dev.wirelab.control.api;

import dev.wirelab.control.store.EventFilter;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.control.store.TraceQueries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@WebFluxTest(EventController.class)
@Import(SliceConfig.class)
class EventControllerTest {

    static final TraceQueries.Conversation CONV = new TraceQueries.Conversation("icmp 10.0.1.10 <-> 10.0.2.10 id=7", "icmp",
            4, 392, 100, 2000, 7, 23);

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
    }

    @Test
    void eventsCarryTheirDetailAsJson() {
        when(queries.events(eq(1L), any())).thenReturn(new TraceQueries.Page<>(List.of(new TraceQueries.EventRow(3, 500,
                "pc1", "route", "lookup", "{\"destination\":\"10.0.2.10\",\"result\":\"gateway\"}")), null));
        web.get().uri("/api/runs/1/events?node=pc1&layer=route&kind=lookup&address=10.0.2.10&text=gate&after=2&limit=10")
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.items[0].detail.result").isEqualTo("gateway")
                .jsonPath("$.nextCursor").doesNotExist();
        verify(queries).events(1L, new EventFilter(null, null, "pc1", "route", "lookup", "10.0.2.10", "gate", 2L, 10));
    }

    @Test
    void aConversationHasItsFramesAndItsEvents() {
        when(queries.conversations(eq(1L), any(), any(), any(), anyInt())).thenReturn(List.of(CONV));
        web.get().uri("/api/runs/1/conversations").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[0].key").isEqualTo(CONV.key()).jsonPath("$[0].frames").isEqualTo(4);
        when(queries.conversation(1, CONV.key())).thenReturn(Optional.of(CONV));
        when(queries.frames(eq(1L), any())).thenReturn(new TraceQueries.Page<>(List.of(), null));
        when(queries.conversationEvents(eq(1L), eq(CONV), anyInt())).thenReturn(List.of(
                new TraceQueries.EventRow(9, 150, "r1", "ipv4", "forward", "{\"destination\":\"10.0.2.10\"}")));
        web.get().uri(b -> b.path("/api/runs/1/conversation").queryParam("key", "{k}").build(CONV.key()))
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.conversation.protocol").isEqualTo("icmp")
                .jsonPath("$.events[0].kind").isEqualTo("forward");
        when(queries.conversation(1, "udp x")).thenReturn(Optional.empty());
        web.get().uri("/api/runs/1/conversation?key=udp x").exchange().expectStatus().isNotFound();
    }

    @Test
    void unknownRunsAre404() {
        when(runs.find(9)).thenReturn(Optional.empty());
        web.get().uri("/api/runs/9/events").exchange().expectStatus().isNotFound();
        web.get().uri("/api/runs/9/conversations").exchange().expectStatus().isNotFound();
    }
}
