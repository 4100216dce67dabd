package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.store.ImpairmentsView;
import dev.wirelab.netstack.bus.Impairments;
import dev.wirelab.netstack.bus.Segment;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Links (segments) of a live run: their impairments, read and changed while frames flow. */
@RestController
@RequestMapping("/api/runs/{runId}/links")
@Tag(name = "links", description = "Segment impairments of a live run: loss, delay, jitter, duplicate, reorder, corrupt, rate")
public class LinkController {

    private final RunManager runs;

    public LinkController(RunManager runs) {
        this.runs = runs;
    }

    public record LinkView(String segment, int vni, List<String> ports, ImpairmentsView impairments) {
    }

    @GetMapping
    @Operation(summary = "Every segment with its impairments now")
    public Mono<List<LinkView>> list(@PathVariable long runId) {
        return Blocking.call(() -> runs.requireLive(runId).segments().stream().map(LinkController::view).toList());
    }

    @GetMapping("/{segment}")
    @Operation(summary = "One segment's impairments")
    public Mono<LinkView> get(@PathVariable long runId, @PathVariable String segment) {
        return Blocking.call(() -> view(segment(runs.requireLive(runId), segment)));
    }

    @PutMapping("/{segment}")
    @Operation(summary = "Replace a segment's impairments (keys not given are none)",
            description = "As in topology files: {\"delay\": \"5ms\", \"jitter\": \"1ms\", \"loss\": 0.01, \"duplicate\": \"1%\", "
                    + "\"reorder\": 0.05, \"reorder_delay\": \"3ms\", \"corrupt\": 0.001, \"rate\": \"10mbit\", \"queue\": \"64kb\"}")
    public Mono<LinkView> put(@PathVariable long runId, @PathVariable String segment, @RequestBody Map<String, Object> body) {
        return Blocking.call(() -> change(runId, segment, body, false));
    }

    @PatchMapping("/{segment}")
    @Operation(summary = "Change some of a segment's impairments (keys not given keep their values)")
    public Mono<LinkView> patch(@PathVariable long runId, @PathVariable String segment, @RequestBody Map<String, Object> body) {
        return Blocking.call(() -> change(runId, segment, body, true));
    }

    private LinkView change(long runId, String segment, Map<String, Object> body, boolean merge) {
        LiveRun lr = runs.requireLive(runId);
        Segment s = segment(lr, segment);
        Map<String, Object> spec = new LinkedHashMap<>();
        if (merge) {
            spec.putAll(ImpairmentsView.of(s.impairments()).toMap());
        }
        if (body != null) {
            spec.putAll(body);
        }
        Impairments imp;
        try {
            imp = Impairments.fromMap(spec);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("impairments", e.getMessage());
        }
        lr.setImpairments(segment, imp);
        return view(s);
    }

    private static Segment segment(LiveRun lr, String name) {
        return lr.segments().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no segment '" + name + "' in lab " + lr.labName() + " (segments: "
                        + String.join(", ", lr.segments().stream().map(Segment::name).toList()) + ")"));
    }

    private static LinkView view(Segment s) {
        return new LinkView(s.name(), s.vni(), s.ports(), ImpairmentsView.of(s.impairments()));
    }
}
