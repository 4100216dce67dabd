package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.store.CaptureWriter;
import dev.wirelab.control.store.LabRepository;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.lab.topology.SegmentSpec;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.trace.CaptureView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;

/** pcapng export of a run, streamed from the database as it is read. */
@RestController
@RequestMapping("/api/runs/{runId}")
@Tag(name = "captures", description = "pcapng download")
public class CaptureController {

    public static final MediaType PCAPNG = MediaType.parseMediaType("application/x-pcapng");
    private static final Executor BLOCKING = r -> Blocking.scheduler().schedule(r);

    private final RunRepository runs;
    private final LabRepository labs;
    private final CaptureWriter captures;

    public CaptureController(RunRepository runs, LabRepository labs, CaptureWriter captures) {
        this.runs = runs;
        this.labs = labs;
        this.captures = captures;
    }

    @GetMapping(path = "/capture.pcapng", produces = "application/x-pcapng")
    @Operation(summary = "The run's frames as pcapng (one interface per segment), optionally one segment and a time range",
            description = "Streamed from the database: the download starts at once and needs no buffer of the whole capture."
                    + " view=conversations (the default for the whole run) holds each conversation once, from the first"
                    + " segment that carried both its directions, so Wireshark's TCP analysis sees each segment once;"
                    + " view=all (the default for one segment) holds every frame, a routed packet once per segment it"
                    + " crossed.")
    public Mono<ResponseEntity<Flux<DataBuffer>>> capture(@PathVariable long runId,
                                                          @RequestParam(required = false) String segment,
                                                          @RequestParam(required = false) Long from,
                                                          @RequestParam(required = false) Long to,
                                                          @RequestParam(required = false) String view) {
        return Blocking.call(() -> {
            CaptureView v;
            try {
                v = view != null ? CaptureView.parse(view) : segment == null ? CaptureView.CONVERSATIONS : CaptureView.ALL;
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("view", e.getMessage());
            }
            RunRecord run = runs.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
            Topology t = RunManager.parse(labs.find(run.labId()).orElseThrow(() -> new NotFoundException("no run " + runId)));
            List<SegmentSpec> segments = t.segments();
            if (segment != null && t.segment(segment).isEmpty()) {
                throw new BadRequestException("segment", "lab " + t.name() + " has no segment '" + segment
                        + "' (segments: " + String.join(", ", t.segmentNames()) + ")");
            }
            if (from != null && to != null && to < from) {
                throw new BadRequestException("to", "to (" + to + ") is before from (" + from + ")");
            }
            long epoch = run.epochUnixNanos() == null ? 0 : run.epochUnixNanos();
            Flux<DataBuffer> body = Flux.from(DataBufferUtils.outputStreamPublisher(out -> {
                try (out) {
                    captures.write(runId, epoch, segments, segment, from, to, v, out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, DefaultDataBufferFactory.sharedInstance, BLOCKING));
            boolean usual = v == (segment == null ? CaptureView.CONVERSATIONS : CaptureView.ALL);
            String name = t.name() + "-run" + runId + (segment == null ? "" : "-" + segment) + (usual ? "" : "-" + v.id())
                    + ".pcapng";
            return ResponseEntity.ok()
                    .contentType(PCAPNG)
                    .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                    .body(body);
        });
    }
}
