package dev.wirelab.control.api;

import dev.wirelab.control.decode.FrameColumns;
import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.ingest.TraceRow;
import dev.wirelab.control.runtime.LiveHub;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The live stream of a running lab: every frame and event as Server-Sent Events, with back-pressure
 * (each subscriber has a bounded buffer; a subscriber too slow to keep up loses items, counted and
 * reported in the stream as a 'dropped' event).
 */
@RestController
@RequestMapping("/api/runs/{runId}")
@Tag(name = "live", description = "Live stream (SSE) of a running lab")
public class LiveController {

    private final RunManager runs;
    private final FrameDecoder decoder;

    public LiveController(RunManager runs, FrameDecoder decoder) {
        this.runs = runs;
        this.decoder = decoder;
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
    public Flux<ServerSentEvent<Object>> live(@PathVariable long runId,
                                              @RequestParam(defaultValue = "true") boolean frames,
                                              @RequestParam(defaultValue = "true") boolean events) {
        return Blocking.call(() -> runs.requireLive(runId)).flatMapMany(lr -> stream(lr, frames, events));
    }

    private Flux<ServerSentEvent<Object>> stream(LiveRun lr, boolean frames, boolean events) {
        Flux<ServerSentEvent<Object>> items = lr.hub().subscribe()
                .filter(i -> (frames || !(i instanceof LiveHub.FrameItem)) && (events || !(i instanceof LiveHub.EventItem)))
                // Decoding happens here, on a worker, never on the capturing thread.
                .publishOn(Schedulers.boundedElastic(), 64)
                .map(this::sse);
        Flux<ServerSentEvent<Object>> pings = Flux.interval(Duration.ofSeconds(15))
                .map(n -> ServerSentEvent.builder().comment("ping").build());
        // One subscription to the hub, shared by the items and the end of the pings.
        return items.publish(shared -> Flux.merge(shared, pings.takeUntilOther(shared.then())));
    }

    private ServerSentEvent<Object> sse(LiveHub.Item item) {
        return switch (item) {
            case LiveHub.FrameItem f -> {
                TraceRow.FrameRow r = f.row();
                FrameColumns c = decoder.summarize(r.bytes());
                String src = c.srcIp() != null ? c.srcIp().toString() : c.srcMac() == null ? null : c.srcMac().toString();
                String dst = c.dstIp() != null ? c.dstIp().toString() : c.dstMac() == null ? null : c.dstMac().toString();
                yield ServerSentEvent.<Object>builder(new LiveFrame(r.seq(), r.timeNanos(), r.segment(), r.ingressPort(),
                        r.bytes().length, c.protocols(), src, dst, c.info())).event("frame").id("f" + r.seq()).build();
            }
            case LiveHub.EventItem e -> {
                TraceRow.EventRow r = e.row();
                yield ServerSentEvent.<Object>builder(new LiveEvent(r.seq(), r.event().timeNanos(), r.event().node(),
                        r.event().layer(), r.event().kind(), r.event().detail())).event("event").id("e" + r.seq()).build();
            }
            case LiveHub.Dropped d -> ServerSentEvent.<Object>builder(d).event("dropped").build();
        };
    }
}
