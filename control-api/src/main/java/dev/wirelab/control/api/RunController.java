package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.lab.topology.Units;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/** Runs: status with per-node state, stop, and (virtual time) advancing the clock. */
@RestController
@RequestMapping("/api/runs")
@Tag(name = "runs", description = "Runs of labs: status, stop, virtual-time clock")
public class RunController {

    private final RunManager runs;
    private final RunRepository repo;

    public RunController(RunManager runs, RunRepository repo) {
        this.runs = runs;
        this.repo = repo;
    }

    /** @param duration lab time to let pass, e.g. "2s", "500ms" */
    public record Advance(String duration) {
    }

    public record Clock(long runId, long labTimeNanos) {
    }

    @GetMapping
    @Operation(summary = "Recent runs, newest first")
    public Mono<List<RunView>> list(@RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new BadRequestException("limit", "limit must be in 1..1000: " + limit);
        }
        return Blocking.call(() -> repo.recent(limit).stream()
                .map(r -> RunView.of(r, runs.live(r.id()).orElse(null), runs.ingesting(r.id()).orElse(null))).toList());
    }

    @GetMapping("/{id}")
    @Operation(summary = "A run's status: state, lab time, trace counters (captured, stored, dropped), nodes")
    public Mono<RunView> get(@PathVariable long id) {
        return Blocking.call(() -> view(id));
    }

    @PostMapping("/{id}/stop")
    @Operation(summary = "Stop a live run; it is marked stopped once its trace is stored, or after 15 s with the rest still in its spool (pendingRows)")
    public Mono<RunView> stop(@PathVariable long id) {
        return Blocking.call(() -> RunView.of(runs.stop(id), null, runs.ingesting(id).orElse(null)));
    }

    @PostMapping("/{id}/advance")
    @Operation(summary = "Let lab time pass in a virtual-time run (409 for a real-time run)")
    public Mono<Clock> advance(@PathVariable long id, @RequestBody Advance req) {
        Duration d = duration("duration", req == null ? null : req.duration());
        return Blocking.call(() -> {
            LiveRun lr = runs.requireLive(id);
            return new Clock(id, lr.advance(d).get());
        });
    }

    private RunView view(long id) {
        LiveRun live = runs.live(id).orElse(null);
        if (live != null && live.record() != null) {
            // From memory: a live run's status stays readable (with its drop counts) while the database is away.
            return RunView.of(live.record(), live);
        }
        RunRecord r = repo.find(id).orElseThrow(() -> new NotFoundException("no run " + id));
        return RunView.of(r, runs.live(id).orElse(null), runs.ingesting(id).orElse(null));
    }

    static Duration duration(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new BadRequestException(field, field + " is required, e.g. \"2s\" or \"500ms\"");
        }
        try {
            return Duration.ofNanos(Units.parseDurationNanos(text));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(field, field + ": " + e.getMessage());
        }
    }
}
