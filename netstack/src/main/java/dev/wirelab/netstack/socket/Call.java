package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.time.Cancellable;

import java.util.ArrayList;
import java.util.List;

/**
 * One system call in flight, on the loop: the operation is attempted; when it would block, it
 * registers waiters on files (and maybe a timeout) and is attempted again after a wake-up. Kernel
 * code returns a result >= 0, {@code -errno}, or {@link #BLOCK} after calling {@link #waitFor}.
 * An io_uring request is a Call without a thread: its result becomes a completion queue entry.
 */
final class Call {

    /** Returned by an operation that registered waiters and wants to be attempted again. */
    static final long BLOCK = Long.MIN_VALUE;

    /** Kernel-side body of a system call. */
    @FunctionalInterface
    interface Op {
        long attempt(Call c);
    }

    /** Where the result goes: back to the waiting thread, or into an io_uring completion queue. */
    @FunctionalInterface
    interface Completion {
        void complete(Call c);
    }

    final Process process;
    final PThread thread;
    final String name;
    final int fd;
    final Object[] args;
    final Op op;
    final Completion completion;
    final long startedAt;
    /** io_uring requests wait for readiness whatever O_NONBLOCK says (they arm an internal poll). */
    final boolean async;

    long result;
    boolean done;
    /** The process died while this call waited: the thread unwinds, no result. */
    boolean killed;
    /** The call had to wait (it blocked on a socket, pipe or timer) before it could complete. */
    boolean waited;
    boolean timedOut;
    /** Scratch for operations that progress over several attempts (bytes sent so far...). */
    long progress;
    /** Extra output of the call (an address, a descriptor pair...). */
    Object out;
    /** The file the call acts on, looked up once (a retry must not see a reused descriptor). */
    KFile file;
    /** Detail added to the trace by the operation (e.g. the peer of accept). */
    List<Object> traceExtra;

    private final List<Waiter> waits = new ArrayList<>(2);
    private Cancellable timer;
    private boolean timerArmed;
    private boolean retryQueued;

    Call(Process process, PThread thread, String name, int fd, Object[] args, Op op, Completion completion, boolean async) {
        this.process = process;
        this.thread = thread;
        this.name = name;
        this.fd = fd;
        this.args = args;
        this.op = op;
        this.completion = completion;
        this.async = async;
        this.startedAt = process.kernel.loop.nanos();
    }

    /** The file behind {@link #fd} (EBADF when none); the same file on every attempt. */
    KFile file() {
        if (file == null) {
            file = process.lookup(fd);
        }
        if (file.released) {
            throw new KernelError(Errno.EBADF);
        }
        return file;
    }

    /** True when this attempt must not wait: O_NONBLOCK on the file or MSG_DONTWAIT. */
    boolean mustNotBlock(KFile f, int msgFlags) {
        return !async && (f.nonblocking() || (msgFlags & Sys.MSG_DONTWAIT) != 0);
    }

    /** Registers interest in {@code mask} of {@code f}: a wake-up attempts the call again. */
    void waitFor(KFile f, int mask) {
        waitFor(f, mask, false);
    }

    void waitFor(KFile f, int mask, boolean exclusive) {
        waits.add(f.addWaiter(mask, exclusive, false, this::woken));
    }

    /** Fails the call with {@code timedOut} set (attempted once more) after {@code nanos}; armed once. */
    void timeout(long nanos) {
        if (timerArmed || nanos < 0) {
            return;
        }
        timerArmed = true;
        timer = process.kernel.loop.schedule(nanos, () -> {
            if (!done) {
                timedOut = true;
                process.kernel.attempt(this);
            }
        });
    }

    boolean hasTimer() {
        return timerArmed;
    }

    void trace(Object... keyValues) {
        if (traceExtra == null) {
            traceExtra = new ArrayList<>();
        }
        traceExtra.addAll(List.of(keyValues));
    }

    private void woken() {
        clearWaits();
        if (!retryQueued && !done) {
            retryQueued = true;
            // Attempted again in its own task, never inside the caller of wake() (the TCP engine).
            process.kernel.loop.execute(() -> {
                retryQueued = false;
                process.kernel.attempt(this);
            });
        }
    }

    boolean waiting() {
        return !waits.isEmpty();
    }

    void clearWaits() {
        for (Waiter w : waits) {
            w.file.removeWaiter(w);
        }
        waits.clear();
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
