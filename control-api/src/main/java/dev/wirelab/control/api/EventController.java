package dev.wirelab.control.api;

import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.store.EventFilter;
import dev.wirelab.control.store.FrameFilter;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.control.store.TraceQueries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static dev.wirelab.control.api.FrameController.blank;
import static dev.wirelab.control.api.FrameController.requireRun;

/** A run's stack events, and its conversations (5-tuples) with their frames and events. */
@RestController
@RequestMapping("/api/runs/{runId}")
@Tag(name = "events", description = "Stack events of a run, and conversations")
public class EventController {

    private final TraceQueries queries;
    private final RunRepository runs;
    private final JsonMapper json;

    public EventController(TraceQueries queries, RunRepository runs, JsonMapper json) {
        this.queries = queries;
        this.runs = runs;
        this.json = json;
    }

    public record Event(long seq, long timeNanos, String node, String layer, String kind, JsonNode detail) {
    }

    public record EventPage(List<Event> items, Long nextCursor) {
    }

    public record ConversationDetail(TraceQueries.Conversation conversation, List<TraceQueries.FrameRow> frames,
                                     Long nextFrameCursor, List<Event> events) {
    }

    @GetMapping("/events")
    @Operation(summary = "Events of a run (ARP cache, routing decisions, drops, syscalls...), paged by sequence number")
    public Mono<EventPage> events(@PathVariable long runId,
                                  @RequestParam(required = false) Long from,
                                  @RequestParam(required = false) Long to,
                                  @RequestParam(required = false) String node,
                                  @Parameter(description = "arp, ipv4, route, icmp, udp, node, program, bus...") @RequestParam(required = false) String layer,
                                  @RequestParam(required = false) String kind,
                                  @Parameter(description = "an IPv4 address or MAC named in the event") @RequestParam(required = false) String address,
                                  @RequestParam(required = false) String text,
                                  @RequestParam(required = false) Long after,
                                  @RequestParam(defaultValue = "100") int limit) {
        EventFilter f = new EventFilter(from, to, blank(node), blank(layer), blank(kind), blank(address), blank(text),
                after, limit);
        return Blocking.call(() -> {
            requireRun(runs, runId);
            TraceQueries.Page<TraceQueries.EventRow> p = queries.events(runId, f);
            return new EventPage(p.items().stream().map(this::event).toList(), p.nextCursor());
        });
    }

    @GetMapping("/protocols")
    @Operation(summary = "The run's protocol hierarchy: stored frames carrying each protocol, most first")
    public Mono<List<TraceQueries.ProtocolCount>> protocols(@PathVariable long runId) {
        return Blocking.call(() -> {
            requireRun(runs, runId);
            return queries.protocols(runId);
        });
    }

    @GetMapping("/conversations")
    @Operation(summary = "Conversations (5-tuples, both directions as one) with frame counts, in order of appearance")
    public Mono<List<TraceQueries.Conversation>> conversations(@PathVariable long runId,
                                                               @RequestParam(required = false) Long from,
                                                               @RequestParam(required = false) Long to,
                                                               @RequestParam(required = false) String address,
                                                               @RequestParam(defaultValue = "100") int limit) {
        return Blocking.call(() -> {
            requireRun(runs, runId);
            return queries.conversations(runId, from, to, blank(address), limit);
        });
    }

    @GetMapping("/conversation")
    @Operation(summary = "One conversation: its frames (paged) and the events that mention its endpoints meanwhile")
    public Mono<ConversationDetail> conversation(@PathVariable long runId, @RequestParam String key,
                                                 @RequestParam(required = false) Long after,
                                                 @RequestParam(defaultValue = "100") int limit) {
        return Blocking.call(() -> {
            requireRun(runs, runId);
            TraceQueries.Conversation c = queries.conversation(runId, key)
                    .orElseThrow(() -> new NotFoundException("run " + runId + " has no conversation '" + key + "'"));
            TraceQueries.Page<TraceQueries.FrameRow> frames = queries.frames(runId,
                    new FrameFilter(null, null, null, null, null, null, null, null, null, key, after, limit));
            List<Event> events = queries.conversationEvents(runId, c, TraceQueries.MAX_LIMIT).stream().map(this::event).toList();
            return new ConversationDetail(c, frames.items(), frames.nextCursor(), events);
        });
    }

    private Event event(TraceQueries.EventRow r) {
        return new Event(r.seq(), r.timeNanos(), r.node(), r.layer(), r.kind(), json.readTree(r.detailJson()));
    }
}
