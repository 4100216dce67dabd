package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.time.VirtualTimeScheduler;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The virtual-time gate: one per {@link VirtualTimeScheduler}, installed as its quiescence barrier.
 *
 * <p>Invariant: at most one program thread runs, and only while the scheduler's thread waits in
 * {@link #run()}. A thread becomes ready when the loop completes its system call (in a task, so at
 * a deterministic point); ready threads get their turn in FIFO order; a turn ends when the thread
 * parks in its next system call or ends. Every task a program submits is therefore submitted at
 * the same point of the same run, whatever the JVM does: same script and seed, same capture.
 */
final class VirtualGate extends Gate implements Runnable {

    /** A program thread that computes this long (wall time) without a system call is reported. */
    static final long WATCHDOG_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<PThread> ready = new ArrayDeque<>();
    private PThread running;

    private VirtualGate() {
    }

    static VirtualGate of(VirtualTimeScheduler scheduler) {
        synchronized (scheduler) {
            Runnable b = scheduler.quiescenceBarrier();
            if (b instanceof VirtualGate g) {
                return g;
            }
            if (b != null) {
                throw new IllegalStateException("the scheduler already has another quiescence barrier: " + b);
            }
            VirtualGate g = new VirtualGate();
            scheduler.setQuiescenceBarrier(g);
            return g;
        }
    }

    /** The barrier: runs ready threads one at a time until none is ready or running. */
    @Override
    public void run() {
        lock.lock();
        try {
            while (true) {
                long waited = 0;
                while (running != null) {
                    if (waited >= WATCHDOG_NANOS) {
                        throw new IllegalStateException("program thread " + running.describe()
                                + " has run for " + WATCHDOG_NANOS / 1_000_000_000L
                                + " s without a system call; virtual time cannot go on");
                    }
                    long left = idle.awaitNanos(WATCHDOG_NANOS - waited);
                    waited = WATCHDOG_NANOS - Math.max(0, left);
                }
                PThread t = ready.poll();
                if (t == null) {
                    return;
                }
                running = t;
                t.permit = true;
                t.turn.signal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while program threads ran", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    void start(PThread t) {
        lock.lock();
        try {
            t.turn = lock.newCondition();
            ready.add(t);
        } finally {
            lock.unlock();
        }
        t.thread.start(); // it waits in awaitStart for its turn
    }

    @Override
    void resume(PThread t) {
        lock.lock();
        try {
            ready.add(t);
        } finally {
            lock.unlock();
        }
    }

    @Override
    void park(PThread t) {
        lock.lock();
        try {
            if (running == t) {
                running = null;
                idle.signalAll();
            }
            while (!t.permit) {
                t.turn.awaitUninterruptibly();
            }
            t.permit = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    void awaitStart(PThread t) {
        lock.lock();
        try {
            while (!t.permit) {
                t.turn.awaitUninterruptibly();
            }
            t.permit = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    void exit(PThread t) {
        lock.lock();
        try {
            if (running == t) {
                running = null;
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
