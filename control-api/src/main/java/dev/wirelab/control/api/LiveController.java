package dev.wirelab.control.api;

import dev.wirelab.control.decode.FrameColumns;
import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.ingest.TraceRow;
import dev.wirelab.control.runtime.LiveHub;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The live stream of a running lab: every frame and event as Server-Sent Events, with back-pressure
 * (each subscriber has a bounded buffer; a subscriber too slow to keep up loses items, counted and
 * reported in the stream as a 'dropped' event).
 *
 * <p>Live streams never starve the rest of the API (issue 11): they run on their own small pool
 * (half the cores), never on the REST handlers' threads; each frame is decoded and rendered once
 * for all subscribers; and a subscriber is written a batch of whatever is waiting per flush, not one
 * flush per item, so twenty browser tabs cost little more than one.
 */
@RestController
@RequestMapping("/api/runs/{runId}")
@Tag(name = "live", description = "Live stream (SSE) of a running lab")
public class LiveController {

    /** The most items a subscriber is written per flush. */
    static final int MAX_BATCH = 256;
    private static final Scheduler LIVE = Schedulers.newParallel("wirelab-live",
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
    private static final byte[] PING = ":ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPEN = ":live\n\n".getBytes(StandardCharsets.US_ASCII);

    private final RunManager runs;
    private final FrameDecoder decoder;
    private final JsonMapper json;

    public LiveController(RunManager runs, FrameDecoder decoder, JsonMapper json) {
        this.runs = runs;
        this.decoder = decoder;
        this.json = json;
    }

    public record LiveFrame(long seq, long timeNanos, String segment, String ingressPort, int length,
                            List<String> protocols, String src, String dst, String info) {
    }

    public record LiveEvent(long seq, long timeNanos, String node, String layer, String kind, Map<String, Object> detail) {
    }

    @GetMapping(path = "/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Frames ('frame' events) and stack events ('event') of a live run as they happen",
            description = "Also 'dropped' {dropped, totalDropped} when this subscriber was too slow and lost items, and a "
                    + "'ping' comment every 15 s. Ends when the run stops.")
    @ApiResponse(responseCode = "200", description = "text/event-stream of 'frame' (LiveFrame), 'event' (LiveEvent) "
            + "and 'dropped' events", content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE))
    public Mono<Void> live(@PathVariable long runId,
                           @RequestParam(defaultValue = "true") boolean frames,
                           @RequestParam(defaultValue = "true") boolean events,
                           ServerHttpResponse response) {
        return Blocking.call(() -> runs.requireLive(runId)).flatMap(lr -> {
            response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
            response.getHeaders().setCacheControl("no-cache");
            Flux<Publisher<DataBuffer>> chunks = stream(lr, frames, events)
                    .map(bytes -> Mono.just(response.bufferFactory().wrap(bytes)));
            return response.writeAndFlushWith(chunks);
        });
    }

    /** The stream's bytes, one chunk per flush. */
    Flux<byte[]> stream(LiveRun lr, boolean frames, boolean events) {
        Flux<byte[]> items = lr.hub().subscribeBatches(MAX_BATCH,
                        i -> (frames || !(i instanceof LiveHub.FrameItem)) && (events || !(i instanceof LiveHub.EventItem)),
                        task -> LIVE.schedule(task))
                // Rendering happens here, on the live pool, never on the capturing thread; two
                // batches in flight at most, so a slow client pushes back to its hub buffer.
                .publishOn(LIVE, 2)
                .map(this::render);
        Flux<byte[]> pings = Flux.interval(Duration.ofSeconds(15), LIVE).map(n -> PING);
        // One subscription to the hub, shared by the items and the end of the pings. The stream
        // opens with a comment, so the client has the response (EventSource 'open') at once, even
        // when the lab is quiet.
        return Flux.concat(Mono.just(OPEN), items.publish(shared -> Flux.merge(shared, pings.takeUntilOther(shared.then()))));
    }

    private byte[] render(List<LiveHub.Item> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 200);
        for (LiveHub.Item item : batch) {
            byte[] sse = switch (item) {
                case LiveHub.Rendered r -> r.rendered(this::sse);
                case LiveHub.Dropped d -> sse(null, "dropped", d);
            };
            out.writeBytes(sse);
        }
        return out.toByteArray();
    }

    /** One item as an SSE event (WHATWG HTML, "Server-sent events": id, event, one data line). */
    private byte[] sse(LiveHub.Rendered item) {
        return switch (item) {
            case LiveHub.FrameItem f -> {
                TraceRow.FrameRow r = f.row();
                FrameColumns c = decoder.summarize(r.bytes());
                String src = c.srcIp() != null ? c.srcIp().toString() : c.srcMac() == null ? null : c.srcMac().toString();
                String dst = c.dstIp() != null ? c.dstIp().toString() : c.dstMac() == null ? null : c.dstMac().toString();
                yield sse("f" + r.seq(), "frame", new LiveFrame(r.seq(), r.timeNanos(), r.segment(), r.ingressPort(),
                        r.bytes().length, c.protocols(), src, dst, c.info()));
            }
            case LiveHub.EventItem e -> {
                TraceRow.EventRow r = e.row();
                yield sse("e" + r.seq(), "event", new LiveEvent(r.seq(), r.timeNanos(), r.node(), r.layer(), r.kind(),
                        r.detail() != null ? r.detail() : parsedDetail(r.detailJson())));
            }
        };
    }

    /** A node container's detail JSON, parsed for showing; text that is no JSON object is shown as text. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> parsedDetail(byte[] detailJson) {
        try {
            return json.readValue(detailJson, Map.class);
        } catch (RuntimeException e) {
            return Map.of("unparsable", new String(detailJson, StandardCharsets.UTF_8));
        }
    }

    private byte[] sse(String id, String event, Object data) {
        // Compact JSON has no line breaks (they are escaped inside strings), so one data line holds it.
        String text = (id == null ? "" : "id:" + id + "\n") + "event:" + event + "\ndata:" + json.writeValueAsString(data)
                + "\n\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
