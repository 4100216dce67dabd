package dev.wirelab.control.api;

import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.runtime.ExecOutcome;
import dev.wirelab.control.runtime.LiveRun;
import dev.wirelab.control.runtime.RunManager;
import dev.wirelab.control.runtime.RunNodes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Nodes of a live run: their state, and programs run on them (output streamed or whole). */
@RestController
@RequestMapping("/api/runs/{runId}/nodes")
@Tag(name = "nodes", description = "Node state and programs (ping, traceroute, ip, arp...)")
public class NodeController {

    private final RunManager runs;
    private final WirelabProperties props;

    public NodeController(RunManager runs, WirelabProperties props) {
        this.runs = runs;
        this.props = props;
    }

    /**
     * A command line to run on a node.
     *
     * @param command e.g. "ping -c 3 10.0.2.10"
     * @param timeout lab time allowed, e.g. "30s" (default 60s); a program still running then is stopped (exit 124)
     */
    public record Exec(String command, String timeout) {
    }

    /** A node of a run: its kind, and whether it is up ({@code up}, {@code down}: its container died). */
    public record NodeEntry(String name, String kind, String status, boolean running) {
        static NodeEntry of(RunNodes.NodeEntry e) {
            return new NodeEntry(e.name(), e.kind(), e.status(), e.running());
        }
    }

    @GetMapping
    @Operation(summary = "The nodes of a live run")
    public Mono<List<NodeEntry>> list(@PathVariable long runId) {
        return Blocking.call(() -> runs.requireLive(runId).nodes().stream().map(NodeEntry::of).toList());
    }

    @GetMapping("/{node}")
    @Operation(summary = "A node's state: interfaces, routes, ARP cache, sockets, counters, DHCP leases, DNS cache")
    public Mono<Map<String, Object>> state(@PathVariable long runId, @PathVariable String node) {
        return Blocking.call(() -> runs.requireLive(runId).nodeState(node).get());
    }

    @PostMapping("/{node}/restart")
    @Operation(summary = "Bring a node back with its configuration",
            description = "Docker runtime: the node's container is started again (after it died) or restarted, and "
                    + "answers once it is healthy. Embedded: the node stops and starts.")
    public Mono<NodeEntry> restart(@PathVariable long runId, @PathVariable String node) {
        return Blocking.call(() -> NodeEntry.of(runs.requireLive(runId).restart(node).get()));
    }

    @PostMapping("/{node}/exec")
    @Operation(summary = "Run a program and answer when it ends, with all its output")
    public Mono<ExecOutcome> exec(@PathVariable long runId, @PathVariable String node, @RequestBody Exec req) {
        String command = command(req);
        Duration timeout = timeout(req);
        return Blocking.call(() -> runs.requireLive(runId))
                .flatMap(lr -> Mono.fromFuture(() -> lr.exec(node, command, timeout, line -> { })));
    }

    @PostMapping(path = "/{node}/exec/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Run a program with its output streamed as Server-Sent Events while it runs",
            description = "One 'output' event per line, then one 'exit' event with the outcome (exit code, lab times).")
    public Flux<ServerSentEvent<Object>> execStream(@PathVariable long runId, @PathVariable String node,
                                                    @RequestBody Exec req) {
        String command = command(req);
        Duration timeout = timeout(req);
        return Blocking.call(() -> runs.requireLive(runId)).flatMapMany(lr -> {
            lr.node(node);
            // Lines come on the node's thread (one at a time); the exit comes after the last line.
            Sinks.Many<ServerSentEvent<Object>> sink = Sinks.many().unicast().onBackpressureBuffer();
            Sinks.EmitFailureHandler retry = Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1));
            lr.exec(node, command, timeout, line -> {
                synchronized (sink) {
                    sink.emitNext(ServerSentEvent.builder((Object) line).event("output").build(), retry);
                }
            }).whenComplete((outcome, error) -> {
                synchronized (sink) {
                    if (error != null) {
                        sink.emitNext(ServerSentEvent.builder((Object) Map.of("error", String.valueOf(error.getMessage())))
                                .event("error").build(), retry);
                    } else {
                        sink.emitNext(ServerSentEvent.builder((Object) outcome).event("exit").build(), retry);
                    }
                    sink.emitComplete(retry);
                }
            });
            return sink.asFlux();
        }).subscribeOn(Blocking.scheduler());
    }

    private static String command(Exec req) {
        if (req == null || req.command() == null || req.command().isBlank()) {
            throw new BadRequestException("command", "command is required, e.g. \"ping -c 3 10.0.2.10\"");
        }
        return req.command();
    }

    private Duration timeout(Exec req) {
        return req == null || req.timeout() == null ? props.execTimeout() : RunController.duration("timeout", req.timeout());
    }
}
