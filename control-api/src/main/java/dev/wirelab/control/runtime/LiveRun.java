package dev.wirelab.control.runtime;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.store.RunRecord;
import dev.wirelab.netstack.bus.Impairments;
import dev.wirelab.netstack.bus.Segment;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.node.Node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A run whose lab is up in this JVM. Everything that touches the lab goes through one driver
 * thread: in virtual time that thread is the lab's clock (time moves only while a program it runs
 * executes, or when asked to advance), so calls are serialised and the run stays reproducible; in
 * real time the nodes run on their own threads and programs run side by side.
 */
public final class LiveRun {

    private final long runId;
    private final long labId;
    private final String labName;
    private final Lab lab;
    private final RunTrace trace;
    private final LiveHub hub;
    private final ExecutorService driver;
    private volatile RunRecord record;
    private volatile boolean closed;

    LiveRun(long runId, long labId, String labName, Lab lab, RunTrace trace, LiveHub hub) {
        this.runId = runId;
        this.labId = labId;
        this.labName = labName;
        this.lab = lab;
        this.trace = trace;
        this.hub = hub;
        this.driver = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("run-" + runId).daemon().factory());
    }

    public long runId() {
        return runId;
    }

    /** The run as stored when it started (so its status can be shown while the database is away). */
    public RunRecord record() {
        return record;
    }

    void record(RunRecord r) {
        this.record = r;
    }

    public long labId() {
        return labId;
    }

    public String labName() {
        return labName;
    }

    public Lab lab() {
        return lab;
    }

    public RunTrace trace() {
        return trace;
    }

    public LiveHub hub() {
        return hub;
    }

    public boolean virtual() {
        return lab.timeMode() == TimeMode.VIRTUAL;
    }

    /** Runs {@code task} on the driver thread. */
    public <T> CompletableFuture<T> onDriver(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new ConflictException("run " + runId + " has ended"));
            return f;
        }
        driver.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    void start() throws Exception {
        onDriver(() -> {
            lab.start();
            return null;
        }).get(60, TimeUnit.SECONDS);
    }

    public Node node(String name) {
        Node n = lab.nodes().get(name);
        if (n == null) {
            throw new NotFoundException("no node '" + name + "' in lab " + labName + " (nodes: "
                    + String.join(", ", lab.nodes().keySet()) + ")");
        }
        return n;
    }

    /**
     * Runs a command line on a node; {@code output} gets each line as it is printed. In virtual time
     * the driver runs the lab's clock until the program ends or {@code timeout} of lab time passes; a
     * program still running then is stopped (exit status 124).
     */
    public CompletableFuture<ExecOutcome> exec(String nodeName, String command, Duration timeout, Consumer<String> output) {
        node(nodeName);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Consumer<String> both = line -> {
            lines.add(line);
            output.accept(line);
        };
        if (virtual()) {
            return onDriver(() -> {
                long start = lab.nanos();
                CompletableFuture<Integer> done = lab.exec(nodeName, command, both);
                boolean finished = lab.runUntil(done::isDone, timeout);
                return outcome(nodeName, command, done, finished, lines, start);
            });
        }
        long start = lab.nanos();
        CompletableFuture<Integer> done = lab.exec(nodeName, command, both);
        return done.handle((v, e) -> null)
                .completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(x -> outcome(nodeName, command, done, done.isDone(), lines, start));
    }

    private ExecOutcome outcome(String node, String command, CompletableFuture<Integer> done, boolean finished,
                                List<String> lines, long start) {
        if (!finished) {
            done.cancel(true); // the program stops at its next step
        }
        int exit = finished && !done.isCompletedExceptionally() ? done.join()
                : finished ? 1 : ExecOutcome.TIMED_OUT;
        if (finished && done.isCompletedExceptionally()) {
            lines.add("(failed: " + done.exceptionNow() + ")");
        }
        return new ExecOutcome(node, command, exit, !finished, List.copyOf(lines), start, lab.nanos());
    }

    /** Lets lab time pass (virtual time only: real time passes by itself). */
    public CompletableFuture<Long> advance(Duration d) {
        if (!virtual()) {
            throw new ConflictException("run " + runId + " runs in real time: its clock advances by itself");
        }
        return onDriver(() -> {
            lab.advance(d);
            return lab.nanos();
        });
    }

    /** The node's state, one entry per section, read where the node's stack is not running meanwhile. */
    public CompletableFuture<Map<String, Object>> nodeState(String nodeName, List<NodeStateProvider> providers) {
        Node node = node(nodeName);
        Callable<Map<String, Object>> read = () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", node.name());
            m.put("kind", lab.topology().nodes().get(nodeName).kind());
            m.put("running", node.running());
            m.put("forwarding", node.forwarding());
            m.put("labTimeNanos", lab.nanos());
            for (NodeStateProvider p : providers) {
                if (p.appliesTo(node)) {
                    try {
                        m.put(p.section(), p.state(node));
                    } catch (RuntimeException e) {
                        m.put(p.section(), Map.of("error", String.valueOf(e)));
                    }
                }
            }
            return m;
        };
        if (virtual()) {
            return onDriver(read);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return read.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, node.loop());
    }

    /** The segments and their impairments now. */
    public List<Segment> segments() {
        return lab.bus().segments();
    }

    /** Swaps a segment's impairments (atomically: each frame sees the old or the new) and records it on the timeline. */
    public void setImpairments(String segment, Impairments impairments) {
        lab.bus().setImpairments(segment, impairments);
        trace.event(lab.nanos(), "bus", "link", "impairments_changed", "segment", segment,
                "loss", impairments.loss(), "delay_ns", impairments.delayNanos(), "jitter_ns", impairments.jitterNanos(),
                "duplicate", impairments.duplicate(), "reorder", impairments.reorder(), "corrupt", impairments.corrupt(),
                "rate_bps", impairments.rateBitsPerSecond());
    }

    /** Stops every node and the bus; waits for the driver to finish what it is doing. */
    void close() {
        if (closed) {
            return;
        }
        CompletableFuture<Object> f = onDriver(() -> {
            lab.close();
            return null;
        });
        closed = true;
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            lab.close();
        }
        driver.shutdown();
    }
}
