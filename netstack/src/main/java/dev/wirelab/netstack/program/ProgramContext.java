package dev.wirelab.netstack.program;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.Cancellable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** What a running program sees: its node, argv, an output, timers, and exit. Used on the node's loop. */
public final class ProgramContext {

    private final Node node;
    private final List<String> argv;
    private final Consumer<String> output;
    private final CompletableFuture<Integer> done;
    private final List<Runnable> cleanups = new ArrayList<>();
    private final List<Cancellable> timers = new ArrayList<>();
    private final long startedAt;
    private boolean exited;

    ProgramContext(Node node, List<String> argv, Consumer<String> output, CompletableFuture<Integer> done) {
        this.node = node;
        this.argv = List.copyOf(argv);
        this.output = output;
        this.done = done;
        this.startedAt = node.loop().nanos();
    }

    public Node node() {
        return node;
    }

    /** argv[0] is the program name. */
    public List<String> argv() {
        return argv;
    }

    public String name() {
        return argv.get(0);
    }

    /** The arguments after the program name. */
    public List<String> args() {
        return argv.subList(1, argv.size());
    }

    public long now() {
        return node.loop().nanos();
    }

    public long startedAt() {
        return startedAt;
    }

    public void println(String line) {
        if (!exited) {
            output.accept(line);
        }
    }

    /**
     * Runs {@code task} on the loop after {@code delayNanos}, unless the program has exited by
     * then. An exception in the task ends the program with status 1.
     */
    public Cancellable schedule(long delayNanos, Runnable task) {
        Cancellable c = node.loop().schedule(delayNanos, () -> guarded(task));
        timers.add(c);
        return c;
    }

    /** Runs {@code task} now if the program is still alive, ending it with status 1 if it throws. */
    public void guarded(Runnable task) {
        if (exited) {
            return;
        }
        if (done.isDone()) { // cancelled from outside, like a Ctrl-C
            exit(130);
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            println(name() + ": " + e.getMessage());
            node.event("program", "crash", "program", name(), "error", String.valueOf(e));
            exit(1);
        }
    }

    /**
     * Ends the program with status 130 as soon as its run is cancelled from outside (Ctrl-C), even
     * while it waits for nothing on the loop (a program thread blocked in a system call).
     */
    public void exitOnCancel() {
        done.whenComplete((v, e) -> {
            if (done.isCancelled()) {
                node.loop().execute(() -> guarded(() -> { }));
            }
        });
    }

    /** Runs at exit (closing sockets...). */
    public void onExit(Runnable cleanup) {
        cleanups.add(cleanup);
    }

    public boolean exited() {
        return exited;
    }

    /** Ends the program: cleanups run, timers are cancelled, the exit status is reported. */
    public void exit(int status) {
        if (exited) {
            return;
        }
        exited = true;
        for (Cancellable c : timers) {
            c.cancel();
        }
        for (Runnable r : cleanups) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // a failing cleanup must not keep the exit status from being reported
            }
        }
        node.event("program", "exit", "program", name(), "status", status,
                "duration_ms", (now() - startedAt) / 1_000_000.0);
        done.complete(status);
    }
}
