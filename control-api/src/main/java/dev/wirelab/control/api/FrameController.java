package dev.wirelab.control.api;

import dev.wirelab.control.decode.FrameDecoder;
import dev.wirelab.control.decode.Layer;
import dev.wirelab.control.errors.NotFoundException;
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

import java.util.HexFormat;

/** A run's frames: filtered lists paged by sequence number, and one frame decoded layer by layer. */
@RestController
@RequestMapping("/api/runs/{runId}/frames")
@Tag(name = "frames", description = "Frames of a run as stored: query, page, decode")
public class FrameController {

    private final TraceQueries queries;
    private final RunRepository runs;
    private final FrameDecoder decoder;

    public FrameController(TraceQueries queries, RunRepository runs, FrameDecoder decoder) {
        this.queries = queries;
        this.runs = runs;
        this.decoder = decoder;
    }

    /** One frame: its stored summary, its bytes in hex, and its layers with each field's byte offset. */
    public record FrameDetail(TraceQueries.FrameRow frame, String hex, Layer layers) {
    }

    @GetMapping
    @Operation(summary = "Frames of a run, oldest first, paged: pass the answer's nextCursor as 'after' for the next page")
    public Mono<TraceQueries.Page<TraceQueries.FrameRow>> list(
            @PathVariable long runId,
            @Parameter(description = "lab time (ns), inclusive") @RequestParam(required = false) Long from,
            @Parameter(description = "lab time (ns), exclusive") @RequestParam(required = false) Long to,
            @RequestParam(required = false) String segment,
            @Parameter(description = "node the frame came from") @RequestParam(required = false) String node,
            @Parameter(description = "exact ingress port, e.g. pc1:eth0") @RequestParam(required = false) String port,
            @Parameter(description = "a protocol in the frame: arp, ipv4, icmp, udp, vxlan...") @RequestParam(required = false) String protocol,
            @Parameter(description = "IPv4 address, CIDR prefix or MAC, source or destination") @RequestParam(required = false) String address,
            @Parameter(description = "UDP/TCP port, source or destination") @RequestParam(required = false) Integer l4port,
            @Parameter(description = "substring of the info line, any case") @RequestParam(required = false) String text,
            @Parameter(description = "conversation key (see /conversations)") @RequestParam(required = false) String conversation,
            @Parameter(description = "cursor: frames after this sequence number") @RequestParam(required = false) Long after,
            @RequestParam(defaultValue = "100") int limit) {
        FrameFilter f = new FrameFilter(from, to, blank(segment), blank(node), blank(port), blank(protocol),
                blank(address), l4port, blank(text), blank(conversation), after, limit);
        return Blocking.call(() -> {
            requireRun(runs, runId);
            return queries.frames(runId, f);
        });
    }

    @GetMapping("/bytes")
    @Operation(summary = "The run's frames' bytes (base64) in sequence order, paged like the list: for clients that decode"
            + " frames themselves (the exercise kit reads DHCP, DNS and HTTP from them)")
    public Mono<TraceQueries.Page<TraceQueries.FrameBytes>> bytes(
            @PathVariable long runId,
            @Parameter(description = "cursor: frames after this sequence number") @RequestParam(required = false) Long after,
            @RequestParam(defaultValue = "100") int limit) {
        return Blocking.call(() -> {
            requireRun(runs, runId);
            return queries.frameBytes(runId, after, limit);
        });
    }

    @GetMapping("/{seq}")
    @Operation(summary = "One frame decoded: layer tree (Ethernet, ARP, IPv4, ICMP, UDP, VXLAN...) with byte offsets, plus hex")
    public Mono<FrameDetail> get(@PathVariable long runId, @PathVariable long seq) {
        return Blocking.call(() -> {
            requireRun(runs, runId);
            TraceQueries.StoredFrame f = queries.frame(runId, seq)
                    .orElseThrow(() -> new NotFoundException("run " + runId + " has no frame " + seq));
            return new FrameDetail(f.summary(), HexFormat.of().formatHex(f.bytes()), decoder.decode(f.bytes()).root());
        });
    }

    static void requireRun(RunRepository runs, long runId) {
        runs.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
