package dev.wirelab.control.runtime.embedded;

import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.runtime.ExecOutcome;
import dev.wirelab.control.runtime.RunNodes;
import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.node.Node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A run's lab in this JVM. Everything that touches the lab goes through one driver thread: in
 * virtual time that thread is the lab's clock (time moves only while a program it runs executes,
 * or when asked to advance), so calls are serialised and the run stays reproducible; in real time
 * the nodes run on their own threads and programs run side by side.
 */
final class EmbeddedNodes implements RunNodes {

    private final long runId;
    private final String labName;
    private final Lab lab;
    private final ExecutorService driver;
    private volatile boolean closed;

    EmbeddedNodes(long runId, String labName, Lab lab) {
        this.runId = runId;
        this.labName = labName;
        this.lab = lab;
        this.driver = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("run-" + runId).daemon().factory());
    }

    @Override
    public String runtime() {
        return EmbeddedRuntime.NAME;
    }

    @Override
    public Lab lab() {
        return lab;
    }

    @Override
    public boolean virtual() {
        return lab.timeMode() == TimeMode.VIRTUAL;
    }

    @Override
    public long nanos() {
        return lab.nanos();
    }

    /** Runs {@code task} on the driver thread. */
    private <T> CompletableFuture<T> onDriver(Callable<T> task) {
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

    /** Reads or changes a node where its stack does not run meanwhile: the driver (virtual) or its loop (real). */
    private <T> CompletableFuture<T> atNode(Node node, Callable<T> task) {
        if (virtual()) {
            return onDriver(task);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, node.loop());
    }

    @Override
    public void start() throws Exception {
        onDriver(() -> {
            lab.start();
            return null;
        }).get(60, TimeUnit.SECONDS);
    }

    private Node require(String name) {
        Node n = lab.nodes().get(name);
        if (n == null) {
            throw new NotFoundException("no node '" + name + "' in lab " + labName + " (nodes: "
                    + String.join(", ", lab.nodes().keySet()) + ")");
        }
        return n;
    }

    private String kind(String name) {
        return lab.topology().nodes().get(name).kind();
    }

    @Override
    public List<NodeEntry> nodes() {
        return lab.nodes().entrySet().stream()
                .map(e -> new NodeEntry(e.getKey(), kind(e.getKey()), e.getValue().running() ? "up" : "down")).toList();
    }

    @Override
    public NodeEntry node(String name) {
        Node n = require(name);
        return new NodeEntry(name, kind(name), n.running() ? "up" : "down");
    }

    /**
     * In virtual time the driver runs the lab's clock until the program ends or {@code timeout} of lab
     * time passes; a program still running then is stopped (exit status 124).
     */
    @Override
    public CompletableFuture<ExecOutcome> exec(String nodeName, String command, Duration timeout, Consumer<String> output) {
        require(nodeName);
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

    @Override
    public CompletableFuture<Map<String, Object>> state(String nodeName) {
        Node node = require(nodeName);
        return atNode(node, () -> NodeState.of(node, kind(nodeName), lab.nanos()));
    }

    @Override
    public List<NodeState.Brief> briefs() {
        // Counters are atomic; lists are copies: read from here, as the status page always has.
        return lab.nodes().entrySet().stream().map(e -> NodeState.brief(e.getValue(), kind(e.getKey()))).toList();
    }

    @Override
    public CompletableFuture<Long> advance(Duration d) {
        if (!virtual()) {
            throw new ConflictException("run " + runId + " runs in real time: its clock advances by itself");
        }
        return onDriver(() -> {
            lab.advance(d);
            return lab.nanos();
        });
    }

    /** Stops and starts the node: its timers and services start over, its configuration stays. */
    @Override
    public CompletableFuture<NodeEntry> restart(String nodeName) {
        Node node = require(nodeName);
        return atNode(node, () -> {
            node.stop();
            node.start();
            return new NodeEntry(nodeName, kind(nodeName), node.running() ? "up" : "down");
        });
    }

    /** Stops every node and the bus; waits for the driver to finish what it is doing. */
    @Override
    public void close() {
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
