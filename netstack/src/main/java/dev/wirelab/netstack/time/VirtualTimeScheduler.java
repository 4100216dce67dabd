package dev.wirelab.netstack.time;

import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * Discrete-event time for a whole lab: one queue of (time, sequence) ordered tasks shared by
 * every node, run by whichever thread calls {@code run*}. Time jumps from one task to the next, so
 * a lab with 2 s of timers finishes in microseconds, and the same inputs give the same order of
 * events every time (ties break by submission order).
 *
 * <p>Tasks may be submitted from any thread; they are run only by the running thread.
 */
public final class VirtualTimeScheduler implements EventLoop {

    /** 2026-01-01T00:00:00Z: a fixed epoch so virtual-time captures are byte-identical. */
    public static final long DEFAULT_EPOCH_UNIX_NANOS = 1_767_225_600_000_000_000L;

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    /**
     * Tasks submitted for the current instant, in submission order: a broadcast handed to 200
     * receivers is 200 of them, and a FIFO takes them without the heap's log n. The order stays
     * (time, sequence): a task enters the heap only for a later instant, so when time reaches it,
     * everything here (submitted before, for an earlier instant) has run, and what the heap holds
     * for this instant was submitted before anything that joins this queue now.
     */
    private final java.util.ArrayDeque<Task> due = new java.util.ArrayDeque<>();
    private final long epochUnixNanos;
    private long now;
    private long sequence;
    private volatile Thread runner;
    private volatile Runnable quiescence;

    public VirtualTimeScheduler() {
        this(DEFAULT_EPOCH_UNIX_NANOS);
    }

    public VirtualTimeScheduler(long epochUnixNanos) {
        this.epochUnixNanos = epochUnixNanos;
    }

    private static final class Task implements Comparable<Task>, Cancellable {
        final long at;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(long at, long seq, Runnable body) {
            this.at = at;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public synchronized long nanos() {
        return now;
    }

    @Override
    public long epochUnixNanos() {
        return epochUnixNanos;
    }

    @Override
    public synchronized void execute(Runnable task) {
        due.add(new Task(now, sequence++, task));
    }

    @Override
    public synchronized Cancellable schedule(long delayNanos, Runnable task) {
        Task t;
        if (delayNanos <= 0) {
            t = new Task(now, sequence++, task);
            due.add(t);
        } else {
            t = new Task(now + delayNanos, sequence++, task);
            queue.add(t);
        }
        return () -> {
            synchronized (VirtualTimeScheduler.this) {
                t.cancel();
            }
        };
    }

    /**
     * Installs the barrier the runner calls before it looks at the queue, before each task: it
     * returns once nothing outside the queue can still submit tasks for the current instant. The
     * socket layer uses it for programs that run on their own threads (blocking system calls): it
     * lets such threads run, one at a time, until each waits in a system call again, so the tasks
     * they submit get the same order in every run. Null removes it.
     */
    public void setQuiescenceBarrier(Runnable barrier) {
        this.quiescence = barrier;
    }

    /** The barrier installed with {@link #setQuiescenceBarrier}, or null. */
    public Runnable quiescenceBarrier() {
        return quiescence;
    }

    @Override
    public boolean inLoop() {
        Thread r = runner;
        return r == null || r == Thread.currentThread();
    }

    /** Runs every task due up to and including {@code nanos() + durationNanos}, then sets time there. */
    public void runFor(long durationNanos) {
        long end;
        synchronized (this) {
            end = now + durationNanos;
        }
        runUntil(() -> false, end);
        synchronized (this) {
            if (now < end) {
                now = end;
            }
        }
    }

    /**
     * Runs tasks in time order until {@code done} is true (checked after each task), the queue is
     * empty, or the next task lies after {@code deadlineNanos}.
     *
     * @return true when {@code done} became true
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos) {
        runner = Thread.currentThread();
        try {
            while (true) {
                Runnable barrier = quiescence;
                if (barrier != null) {
                    barrier.run();
                }
                if (done.getAsBoolean()) {
                    return true;
                }
                Task t;
                synchronized (this) {
                    if (now > deadlineNanos) {
                        return false; // every task is due at now or later
                    }
                    t = queue.peek();
                    if (t != null && t.at <= now) {
                        queue.poll(); // due now, and submitted before anything in the FIFO
                    } else if (!due.isEmpty()) {
                        t = due.poll();
                    } else if (t == null || t.at > deadlineNanos) {
                        return false;
                    } else {
                        queue.poll();
                    }
                    if (t.cancelled) {
                        continue;
                    }
                    now = t.at;
                }
                t.body.run();
            }
        } finally {
            runner = null;
        }
    }

    /** Runs until nothing is queued or time would pass {@code deadlineNanos}. */
    public void runUntilIdle(long deadlineNanos) {
        runUntil(() -> false, deadlineNanos);
    }

    /** Number of tasks still queued, cancelled ones included. */
    public synchronized int pending() {
        return queue.size() + due.size();
    }
}
