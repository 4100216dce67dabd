package dev.wirelab.netstack.time;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A real-time event loop: one daemon thread per loop (one per node in the embedded runtime).
 * Several loops of a lab share one {@link RealTimeClock}, so their timestamps form one timeline.
 *
 * <p>Built for the frame path, where every frame a node receives is a task posted by another
 * thread: tasks go into a lock-free inbox, the loop drains it in batches, and a sender pays for a
 * wake-up (a futex call) only when the loop is actually asleep. Timers live in a heap that only
 * the loop thread touches (TCP re-arms its retransmission timer on nearly every ACK, so a cancel
 * from the loop removes the entry at once instead of leaving garbage until it falls due). This
 * is the shape of Netty's and smoltcp's loops; a {@code ScheduledThreadPoolExecutor} takes a lock
 * and signals a condition for every task.
 */
public final class RealTimeLoop implements EventLoop, AutoCloseable {

    /** Tasks run between two looks at the timers, so timers stay punctual under a flood of frames. */
    private static final int BATCH = 256;

    private final RealTimeClock clock;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final TimerHeap timers = new TimerHeap();
    private volatile boolean sleeping;
    private volatile boolean closed;
    private long timerSequence;
    private long now; // the loop's clock reading for the task it runs (loop thread only)
    // How well the loop keeps up: timers run, and how late after their due time (written by the loop only).
    private volatile long timersRun;
    private volatile long timersLate;
    private volatile long maxLatenessNanos;

    /** A timer that runs this much after its due time counts as late: the loop fell behind real time. */
    public static final long LATE_NANOS = 10_000_000L;

    public RealTimeLoop(String name, RealTimeClock clock) {
        this.clock = clock;
        this.thread = new Thread(this::run, "loop-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Lab time. On the loop, the reading taken when the current task started: a frame's handling
     * sees one instant (as in virtual time), and a stack that asks for the time several times per
     * frame does not pay a clock read each time.
     */
    @Override
    public long nanos() {
        return Thread.currentThread() == thread ? now : clock.nanos();
    }

    @Override
    public long epochUnixNanos() {
        return clock.epochUnixNanos();
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            return;
        }
        inbox.offer(task);
        wake();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (closed) {
            return Cancellable.NONE;
        }
        Timer t = new Timer(this, nanos() + Math.max(0, delayNanos), task);
        if (inLoop()) {
            t.seq = timerSequence++;
            timers.add(t);
        } else {
            execute(() -> {
                if (!t.cancelled) {
                    t.seq = timerSequence++;
                    timers.add(t);
                }
            });
        }
        return t;
    }

    /** Timers this loop has run. */
    public long timersRun() {
        return timersRun;
    }

    /** Timers that ran more than {@link #LATE_NANOS} after their due time. */
    public long timersLate() {
        return timersLate;
    }

    /** The most a timer ran after its due time, in nanoseconds. */
    public long maxLatenessNanos() {
        return maxLatenessNanos;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    /**
     * Wakes the loop if it sleeps. The loop announces {@code sleeping} before its last look at the
     * inbox and a sender reads it after its offer (both volatile), so one of the two always sees
     * the other: no wake-up is lost and no sender pays for one while the loop is busy.
     */
    private void wake() {
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (!closed) {
            int ran = 0;
            Runnable task;
            while (ran < BATCH && (task = inbox.poll()) != null) {
                now = clock.nanos();
                runGuarded(task);
                ran++;
            }
            long tick = clock.nanos();
            Timer due;
            while ((due = timers.peek()) != null && due.at <= tick) {
                timers.poll();
                if (!due.cancelled) { // called off from another thread, its removal still in the inbox
                    now = clock.nanos();
                    long late = now - due.at;
                    timersRun++;
                    if (late > LATE_NANOS) {
                        timersLate++;
                    }
                    if (late > maxLatenessNanos) {
                        maxLatenessNanos = late;
                    }
                    runGuarded(due.task);
                }
                if (closed) {
                    return;
                }
            }
            if (ran == BATCH || !inbox.isEmpty()) {
                continue;
            }
            sleeping = true;
            if (inbox.isEmpty() && !closed) {
                Timer next = timers.peek();
                if (next == null) {
                    LockSupport.park(this);
                } else {
                    long wait = next.at - clock.nanos();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
            }
            sleeping = false;
            Thread.interrupted(); // a task's interrupt must not turn every later park into a spin
        }
    }

    /** A task that throws must not kill the node's loop: report it and go on. */
    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }

    /** A pending timer; its own handle for cancelling. */
    private static final class Timer implements Cancellable {
        final RealTimeLoop loop;
        final long at;
        final Runnable task;
        long seq;
        int index = -1;          // position in the heap, -1 when not in it (loop thread only)
        volatile boolean cancelled;

        Timer(RealTimeLoop loop, long at, Runnable task) {
            this.loop = loop;
            this.at = at;
            this.task = task;
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            if (loop.inLoop()) {
                loop.timers.remove(this);
            } else {
                loop.execute(() -> loop.timers.remove(this));
            }
        }

        boolean before(Timer o) {
            return at != o.at ? at < o.at : seq < o.seq;
        }
    }

    /** A binary min-heap of timers by (due time, order of scheduling) that knows each timer's index. */
    private static final class TimerHeap {
        private Timer[] heap = new Timer[64];
        private int size;

        Timer peek() {
            return size == 0 ? null : heap[0];
        }

        void add(Timer t) {
            if (size == heap.length) {
                heap = java.util.Arrays.copyOf(heap, size * 2);
            }
            heap[size] = t;
            t.index = size;
            size++;
            up(t.index);
        }

        Timer poll() {
            Timer top = heap[0];
            removeAt(0);
            return top;
        }

        void remove(Timer t) {
            int i = t.index;
            if (i >= 0 && i < size && heap[i] == t) {
                removeAt(i);
            }
        }

        private void removeAt(int i) {
            Timer gone = heap[i];
            gone.index = -1;
            size--;
            if (i == size) {
                heap[size] = null;
                return;
            }
            Timer last = heap[size];
            heap[size] = null;
            heap[i] = last;
            last.index = i;
            if (!down(i)) {
                up(i);
            }
        }

        private void up(int i) {
            Timer t = heap[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                Timer p = heap[parent];
                if (!t.before(p)) {
                    break;
                }
                heap[i] = p;
                p.index = i;
                i = parent;
            }
            heap[i] = t;
            t.index = i;
        }

        /** Returns whether the element moved. */
        private boolean down(int i) {
            int start = i;
            Timer t = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1].before(heap[child])) {
                    child++;
                }
                if (!heap[child].before(t)) {
                    break;
                }
                heap[i] = heap[child];
                heap[i].index = i;
                i = child;
            }
            heap[i] = t;
            t.index = i;
            return i != start;
        }
    }
}
