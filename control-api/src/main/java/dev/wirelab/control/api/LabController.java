package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.labs.LabService;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.store.LabRecord;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Problem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/** Labs: create from a topology (YAML or JSON text, or an example), validate, list, get, delete; start runs. */
@RestController
@RequestMapping("/api/labs")
@Tag(name = "labs", description = "Labs and their topologies; starting runs")
public class LabController {

    private final LabService labs;
    private final RunManager runs;
    private final RunRepository runRepo;
    private final JsonMapper json;

    public LabController(LabService labs, RunManager runs, RunRepository runRepo, JsonMapper json) {
        this.labs = labs;
        this.runs = runs;
        this.runRepo = runRepo;
        this.json = json;
    }

    public record LabSummary(long id, String name, String example, OffsetDateTime createdAt, Long liveRunId) {
    }

    /** A lab: its topology (in the file's shape, as JSON), its source text, and its runs. */
    public record LabView(long id, String name, String example, OffsetDateTime createdAt, String sourceFormat,
                          String source, JsonNode topology, Long liveRunId, List<RunSummary> runs) {
    }

    public record RunSummary(long id, String status, String timeMode, long seed, OffsetDateTime startedAt,
                             OffsetDateTime endedAt, long framesStored) {
    }

    /** Result of a validation: every problem with its path, line and column. */
    public record Validation(boolean valid, List<Problem> problems) {
    }

    /**
     * How to start a run.
     *
     * @param timeMode real or virtual (default virtual where the runtime can keep it: reproducible, time moves
     *                 only when driven; docker runs are real time)
     * @param seed     seed of the lab's RNG (impairments); default the topology's, else 1
     * @param runtime  embedded (every node in the control API's JVM) or docker (a container per node, real
     *                 time only); default wirelab.runtime.default
     */
    public record StartRun(String timeMode, Long seed, String runtime) {
    }

    @GetMapping
    @Operation(summary = "List labs")
    public Mono<List<LabSummary>> list() {
        return Blocking.call(() -> labs.list().stream().map(this::summary).toList());
    }

    @PostMapping(consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json"})
    @Operation(summary = "Create a lab from a topology (YAML or JSON body), or from an example (?example=NAME)",
            description = "The body is read by Wirelab's topology reader: a bad topology gets 400 with every problem, "
                    + "each with its path (nodes.r1.interfaces.eth0.address), line and column.")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(responseCode = "400", description = "Invalid topology: problems listed", content = @Content(schema = @Schema(implementation = Validation.class)))
    @ApiResponse(responseCode = "409", description = "A lab of that name exists")
    public Mono<ResponseEntity<LabView>> create(
            @RequestBody(required = false) String body,
            @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @Parameter(description = "create from examples/NAME.yaml instead of a body") @RequestParam(required = false) String example) {
        return Blocking.call(() -> {
            LabRecord r;
            if (example != null) {
                r = labs.createFromExample(example);
            } else {
                r = labs.create(requireBody(body), format(contentType, body));
            }
            return ResponseEntity.created(URI.create("/api/labs/" + r.id())).body(view(r));
        });
    }

    @PostMapping(path = "/validate", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json"})
    @Operation(summary = "Check a topology without creating a lab: 200 when valid, 400 with every problem")
    public Mono<ResponseEntity<?>> validate(@RequestBody(required = false) String body,
                                            @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType) {
        return Blocking.call(() -> {
            List<Problem> problems = labs.check(body == null ? "" : body, format(contentType, body));
            if (problems.isEmpty()) {
                return ResponseEntity.ok(new Validation(true, problems));
            }
            // Problem details like every other 400 (RFC 9457), with the same 'valid' and 'problems'.
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, problems.size() == 1
                    ? problems.get(0).toString() : problems.size() + " problems: " + problems.get(0) + " ...");
            p.setTitle("Invalid topology");
            p.setProperty("valid", false);
            p.setProperty("problems", problems);
            return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
        });
    }

    @GetMapping("/examples")
    @Operation(summary = "The example topologies (examples/*.yaml), each checked")
    public Mono<List<LabService.Example>> examples() {
        return Blocking.call(labs::examples);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A lab with its topology and runs")
    public Mono<LabView> get(@PathVariable long id) {
        return Blocking.call(() -> view(labs.get(id)));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a lab, stopping its live run; its runs and their traces go with it")
    public Mono<ResponseEntity<Void>> delete(@PathVariable long id) {
        return Blocking.call(() -> {
            labs.delete(id);
            return ResponseEntity.noContent().build();
        });
    }

    @GetMapping("/{id}/runs")
    @Operation(summary = "The lab's runs, oldest first")
    public Mono<List<RunSummary>> runs(@PathVariable long id) {
        return Blocking.call(() -> {
            labs.get(id);
            return runRepo.forLab(id).stream().map(LabController::runSummary).toList();
        });
    }

    @PostMapping("/{id}/runs")
    @Operation(summary = "Start a run (at most one live run per lab)",
            description = "422 when the lab cannot start (e.g. its bus cannot bind the VXLAN port): the reason is in the "
                    + "problem's detail, and the failed run is recorded.")
    @ApiResponse(responseCode = "201", description = "Running")
    @ApiResponse(responseCode = "409", description = "The lab already has a live run")
    @ApiResponse(responseCode = "422", description = "The run could not start; detail says why")
    public Mono<ResponseEntity<RunView>> start(@PathVariable long id, @RequestBody(required = false) StartRun req) {
        return Blocking.callToTheEnd(() -> {
            TimeMode mode = timeMode(req == null ? null : req.timeMode());
            LiveRun lr = runs.start(id, mode, req == null ? null : req.seed(),
                    runs.runtime(req == null ? null : req.runtime()));
            RunRecord r = runRepo.find(lr.runId()).orElseThrow();
            return ResponseEntity.created(URI.create("/api/runs/" + lr.runId())).body(RunView.of(r, lr));
        });
    }

    static TimeMode timeMode(String s) {
        if (s == null || s.isBlank()) {
            return null; // the runtime's default: virtual where it can keep it
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "virtual" -> TimeMode.VIRTUAL;
            case "real" -> TimeMode.REAL;
            default -> throw new BadRequestException("timeMode", "timeMode must be 'real' or 'virtual', not '" + s + "'");
        };
    }

    private static String requireBody(String body) {
        if (body == null || body.isBlank()) {
            throw new BadRequestException("body", "send a topology (YAML or JSON) in the body, or ?example=NAME");
        }
        return body;
    }

    static LabService.Format format(String contentType, String body) {
        if (contentType != null) {
            String ct = contentType.toLowerCase(Locale.ROOT);
            if (ct.contains("json")) {
                return LabService.Format.JSON;
            }
            if (ct.contains("yaml")) {
                return LabService.Format.YAML;
            }
        }
        return LabService.guess(body);
    }

    private LabSummary summary(LabRecord r) {
        return new LabSummary(r.id(), r.name(), r.example(), r.createdAt(),
                runs.liveForLab(r.id()).map(LiveRun::runId).orElse(null));
    }

    private LabView view(LabRecord r) {
        List<RunSummary> rs = runRepo.forLab(r.id()).stream().map(LabController::runSummary).toList();
        return new LabView(r.id(), r.name(), r.example(), r.createdAt(), r.sourceFormat(), r.source(),
                json.readTree(r.topologyJson()), runs.liveForLab(r.id()).map(LiveRun::runId).orElse(null), rs);
    }

    private static RunSummary runSummary(RunRecord x) {
        return new RunSummary(x.id(), x.status(), x.timeMode(), x.seed(), x.startedAt(), x.endedAt(), x.framesStored());
    }
}
