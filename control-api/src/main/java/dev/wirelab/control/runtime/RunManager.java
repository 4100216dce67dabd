package dev.wirelab.control.runtime;

import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.errors.RunStartException;
import dev.wirelab.control.ingest.IngestPipeline;
import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.labs.VtepPolicy;
import dev.wirelab.control.store.LabRecord;
import dev.wirelab.control.store.LabRepository;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.control.errors.UnprocessableException;
import dev.wirelab.netstack.bus.VxlanEndpoint;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.lab.topology.TopologyException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Starts and stops runs: has the run's {@link NodeRuntime} (embedded or docker) build its bus and
 * nodes with their trace going to the ingest pipeline and the live hub, and keeps the runs table
 * in step. A lab has at most one live run.
 * At start, runs that a previous control API left live are marked interrupted: nothing of them
 * runs any more, and what they stored stays.
 */
@Service
public class RunManager {

    private static final Logger log = LoggerFactory.getLogger(RunManager.class);

    private final LabRepository labs;
    private final RunRepository runs;
    private final IngestPipeline ingest;
    private final Map<String, NodeRuntime> runtimes = new LinkedHashMap<>();
    private final WirelabProperties props;
    private final VtepPolicy vteps;
    private final Map<Long, LiveRun> live = new ConcurrentHashMap<>();
    private final Map<Long, Object> labLocks = new ConcurrentHashMap<>();
    private final LongAdder liveDropped = new LongAdder();
    /** VXLAN datagrams dropped by the buses of runs that ended (live runs' are read from their bus). */
    private final LongAdder vxlanDroppedEnded = new LongAdder();
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("run-counters").daemon().factory());

    public RunManager(LabRepository labs, RunRepository runs, IngestPipeline ingest, List<NodeRuntime> runtimes,
                      WirelabProperties props, MeterRegistry metrics, VtepPolicy vteps) {
        this.labs = labs;
        this.vteps = vteps;
        this.runs = runs;
        this.ingest = ingest;
        runtimes.forEach(r -> this.runtimes.put(r.name(), r));
        this.props = props;
        if (!this.runtimes.containsKey(props.runtime().defaultRuntime())) {
            throw new IllegalStateException("wirelab.runtime.default is '" + props.runtime().defaultRuntime()
                    + "'; the runtimes are " + String.join(", ", this.runtimes.keySet()));
        }
        int n = runs.markInterrupted("the control API stopped while this run was live (killed or crashed); "
                + "the frames and events it had stored are kept");
        if (n > 0) {
            log.warn("Marked {} run(s) left live by an earlier control API as interrupted", n);
        }
        FunctionCounter.builder("wirelab.live.dropped", liveDropped, LongAdder::sum)
                .description("Live-stream items dropped for slow subscribers").register(metrics);
        FunctionCounter.builder("wirelab.bus.vxlan.dropped", this, RunManager::vxlanDropped)
                .description("VXLAN datagrams the buses dropped: from no configured VTEP, unknown VNI, bad header")
                .register(metrics);
        // Often, so that after a kill the stored counters are little behind what the status showed.
        ticker.scheduleWithFixedDelay(this::flushCounters, 250, 250, TimeUnit.MILLISECONDS);
    }

    /** The runtime of that name (null: the configured default), or 400. */
    public NodeRuntime runtime(String nameOrNull) {
        String name = nameOrNull == null || nameOrNull.isBlank() ? props.runtime().defaultRuntime()
                : nameOrNull.trim().toLowerCase(Locale.ROOT);
        NodeRuntime r = runtimes.get(name);
        if (r == null) {
            throw new dev.wirelab.control.errors.BadRequestException("runtime", "runtime must be one of "
                    + String.join(", ", runtimes.keySet()) + ", not '" + nameOrNull + "'");
        }
        return r;
    }

    /** Starts a run of a lab in the embedded runtime (a test's shortcut). */
    public LiveRun start(long labId, TimeMode mode, Long seedOrNull) {
        return start(labId, mode, seedOrNull, runtimes.get("embedded"));
    }

    /**
     * Starts a run of a lab. {@code mode} null: virtual time where the runtime can keep it (embedded),
     * else real time. A runtime that cannot run the mode is refused with 422 before a run is recorded.
     */
    public LiveRun start(long labId, TimeMode modeOrNull, Long seedOrNull, NodeRuntime runtime) {
        LabRecord rec = labs.find(labId).orElseThrow(() -> new NotFoundException("no lab " + labId));
        TimeMode mode = modeOrNull != null ? modeOrNull
                : runtime.refusal(TimeMode.VIRTUAL).isEmpty() ? TimeMode.VIRTUAL : TimeMode.REAL;
        runtime.refusal(mode).ifPresent(why -> {
            throw new UnprocessableException(why);
        });
        Topology topology = parse(rec);
        List<Problem> refused = vteps.check(topology);
        if (!refused.isEmpty()) {
            throw new TopologyException(refused); // 400, before a run is recorded: nothing was sent
        }
        long seed = seedOrNull != null ? seedOrNull : topology.seed() != null ? topology.seed() : 1L;
        synchronized (labLocks.computeIfAbsent(labId, k -> new Object())) {
            Optional<LiveRun> existing = liveForLab(labId);
            if (existing.isPresent()) {
                throw new ConflictException("lab " + rec.name() + " already has a live run (" + existing.get().runId()
                        + "): stop it first");
            }
            RunRecord run;
            try {
                run = runs.create(labId, mode.name().toLowerCase(), seed, runtime.name());
            } catch (RunRepository.LiveRunExistsException e) {
                throw new ConflictException(e.getMessage());
            }
            RunTrace trace = ingest.open(run.id());
            LiveHub hub = new LiveHub(props.live().bufferPerSubscriber(), liveDropped);
            trace.setListener(hub);
            RunNodes nodes;
            try {
                nodes = runtime.create(run.id(), rec.name(), topology, mode, seed, trace);
            } catch (RuntimeException e) {
                fail(run.id(), trace, hub, e);
                throw new RunStartException(run.id(), "run " + run.id() + " of lab " + rec.name()
                        + " could not start: " + describe(e), e);
            }
            LiveRun lr = new LiveRun(run.id(), labId, rec.name(), nodes, trace, hub);
            try {
                lr.start();
            } catch (Exception e) {
                lr.close();
                fail(run.id(), trace, hub, e);
                throw new RunStartException(run.id(), "run " + run.id() + " of lab " + rec.name()
                        + " could not start: " + describe(e), e);
            }
            runs.markRunning(run.id(), nodes.lab().epochUnixNanos());
            lr.record(runs.find(run.id()).orElse(run));
            live.put(run.id(), lr);
            log.info("Run {} of lab {} started ({}, {} time, seed {})", run.id(), rec.name(), runtime.name(),
                    mode.name().toLowerCase(), seed);
            return lr;
        }
    }

    /**
     * Why a run failed, in words: each message of the exception and its causes; an exception without
     * one is named by its class (a run recorded as failed with error "null" says nothing).
     */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 2000; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
            if (b.indexOf(part) < 0) {
                b.append(b.isEmpty() ? "" : ": ").append(part);
            }
        }
        return b.toString();
    }

    private void fail(long runId, RunTrace trace, LiveHub hub, Exception e) {
        log.warn("Run {} could not start: {}", runId, describe(e), e);
        hub.complete();
        ingest.awaitDrained(trace, Duration.ofSeconds(5));
        runs.markEnded(runId, "failed", describe(e), trace.counts());
        ingest.release(runId);
    }

    /** Stops a live run: the lab goes down, queued trace rows are written (for a while), the run is marked stopped. */
    public RunRecord stop(long runId) {
        LiveRun lr = live.get(runId);
        if (lr == null) {
            RunRecord r = runs.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
            throw new ConflictException("run " + runId + " is not live (it is " + r.status() + ")");
        }
        synchronized (labLocks.computeIfAbsent(lr.labId(), k -> new Object())) {
            if (live.remove(runId) == null) {
                return runs.find(runId).orElseThrow();
            }
            end(lr, "stopped", null);
        }
        return runs.find(runId).orElseThrow();
    }

    private double vxlanDropped() {
        long sum = vxlanDroppedEnded.sum();
        for (LiveRun lr : live.values()) {
            VxlanEndpoint.Counters c = lr.vxlanCounters();
            sum += c == null ? 0 : c.dropped();
        }
        return sum;
    }

    private void end(LiveRun lr, String status, String error) {
        VxlanEndpoint.Counters vx = lr.vxlanCounters();
        lr.close();
        if (vx != null) {
            vxlanDroppedEnded.add(vx.dropped());
            if (vx.unknownSource() > 0) {
                log.warn("Run {}: the bus dropped {} VXLAN datagram(s) from addresses that are no VTEP of the lab "
                        + "(last from {})", lr.runId(), vx.unknownSource(), vx.lastUnknownSource());
            }
        }
        // A while for the database to catch up, so a stopped run usually reads complete at once; what
        // is still in the spool then is stored afterwards (the status shows pendingRows meanwhile).
        boolean drained = ingest.awaitDrained(lr.trace(), Duration.ofSeconds(15));
        lr.hub().complete();
        RunTrace.Counts c = lr.trace().counts();
        String why = error;
        if (!drained) {
            log.info("Run {}: {} trace rows are still in the spool; ingest goes on after the run's end", lr.runId(),
                    c.pending());
        }
        try {
            runs.markEnded(lr.runId(), status, why, c);
        } catch (RuntimeException e) {
            log.warn("Run {}: could not record its end ({}); it will read as interrupted after a restart", lr.runId(),
                    e.getMessage());
        }
        ingest.release(lr.runId());
        log.info("Run {} {}: frames {} captured, {} stored, {} dropped", lr.runId(), status, c.framesCaptured(),
                c.framesStored(), c.framesDropped());
    }

    /** A run whose trace rows are still on their way to the database (live, or ended with a spool to finish). */
    public Optional<RunTrace> ingesting(long runId) {
        return Optional.ofNullable(ingest.run(runId));
    }

    public Optional<LiveRun> live(long runId) {
        return Optional.ofNullable(live.get(runId));
    }

    /** The live run, or 404 (unknown run) / 409 (a run that ended). */
    public LiveRun requireLive(long runId) {
        LiveRun lr = live.get(runId);
        if (lr != null) {
            return lr;
        }
        RunRecord r = runs.find(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
        throw new ConflictException("run " + runId + " is not live (it is " + r.status() + ")");
    }

    public Optional<LiveRun> liveForLab(long labId) {
        return live.values().stream().filter(r -> r.labId() == labId).findFirst();
    }

    public Collection<LiveRun> liveRuns() {
        return live.values();
    }

    /** Stops a lab's live run (if any) and deletes the lab with every run and trace. */
    public boolean deleteLab(long labId) {
        labs.find(labId).orElseThrow(() -> new NotFoundException("no lab " + labId));
        synchronized (labLocks.computeIfAbsent(labId, k -> new Object())) {
            Optional<LiveRun> lr = liveForLab(labId);
            if (lr.isPresent()) {
                live.remove(lr.get().runId());
                lr.get().trace().discard();
                end(lr.get(), "stopped", "lab deleted");
            }
            for (RunRecord r : runs.forLab(labId)) {
                RunTrace t = ingest.run(r.id());
                if (t != null) {
                    t.discard();
                    ingest.awaitDrained(t, Duration.ofSeconds(5));
                    ingest.release(r.id());
                }
                runs.dropTrace(r.id());
            }
            boolean deleted = labs.delete(labId);
            labLocks.remove(labId);
            return deleted;
        }
    }

    /** The topology of a stored lab (validated when it was stored). */
    public static Topology parse(LabRecord rec) {
        return "json".equals(rec.sourceFormat()) ? Topologies.parseJson(rec.source()) : Topologies.parseYaml(rec.source());
    }

    private void flushCounters() {
        for (LiveRun lr : live.values()) {
            try {
                runs.updateCounters(lr.runId(), lr.trace().counts());
            } catch (RuntimeException e) {
                // The database is away: the counts are written once it is back (or at the end of the run).
            }
        }
    }

    @PreDestroy
    public void shutdown() {
        ticker.shutdownNow();
        for (LiveRun lr : List.copyOf(live.values())) {
            live.remove(lr.runId());
            try {
                end(lr, "stopped", "the control API shut down");
            } catch (RuntimeException e) {
                log.warn("Run {} did not stop cleanly: {}", lr.runId(), e.getMessage());
            }
        }
    }
}
