package dev.wirelab.netstack.time;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real-time event loop: one daemon thread per loop (one per node in the embedded runtime).
 * Several loops of a lab share one {@link RealTimeClock}, so their timestamps form one timeline.
 */
public final class RealTimeLoop implements EventLoop, AutoCloseable {

    private final RealTimeClock clock;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public RealTimeLoop(String name, RealTimeClock clock) {
        this.clock = clock;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "loop-" + name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.execute(() -> { }); // start the thread now so inLoop() knows it
    }

    @Override
    public long nanos() {
        return clock.nanos();
    }

    @Override
    public long epochUnixNanos() {
        return clock.epochUnixNanos();
    }

    @Override
    public void execute(Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(guard(task));
        }
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (executor.isShutdown()) {
            return Cancellable.NONE;
        }
        ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** A task that throws must not kill the node's loop: report it and go on. */
    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        };
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
