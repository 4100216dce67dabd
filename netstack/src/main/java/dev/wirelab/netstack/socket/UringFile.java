package dev.wirelab.netstack.socket;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The kernel side of an io_uring instance: starts each submitted request as an asynchronous call
 * (no thread waits in it) and queues its completion. Runs on the loop, except that the completion
 * queue is read by the program directly, as shared memory, under this object's lock.
 */
final class UringFile extends KFile {

    private final Process process;
    private final ArrayDeque<IoUring.Cqe> cq = new ArrayDeque<>();
    private int inflight;

    UringFile(Kernel kernel, Process process) {
        super(kernel);
        this.process = process;
        flags = Sys.O_RDWR;
    }

    @Override
    String type() {
        return "io_uring";
    }

    @Override
    int poll() {
        return queued() > 0 ? Sys.EPOLLIN | Sys.EPOLLRDNORM : 0;
    }

    synchronized IoUring.Cqe take() {
        return cq.poll();
    }

    synchronized int queued() {
        return cq.size();
    }

    int inflight() {
        return inflight;
    }

    /** io_uring_enter: submits {@code sqes} (first attempt only), then waits for {@code minComplete} completions. */
    long enter(Call c, List<IoUring.Sqe> sqes, int minComplete, long timeoutNanos) {
        if (c.progress == 0) {
            c.progress = 1;
            for (IoUring.Sqe s : sqes) {
                start(s);
            }
        }
        if (queued() >= minComplete || c.timedOut || released) {
            return sqes.size();
        }
        c.waitFor(this, Sys.EPOLLIN);
        if (timeoutNanos >= 0) {
            c.timeout(timeoutNanos);
        }
        return Call.BLOCK;
    }

    private void start(IoUring.Sqe s) {
        Call.Op op = switch (s.op()) {
            case NOP -> c -> 0;
            case TIMEOUT -> c -> timeoutOp(c, s.timeoutNanos());
            case ACCEPT -> c -> Process.socketOf(c).accept(c, s.flags());
            case CONNECT -> c -> Process.socketOf(c).connect(c, s.addr());
            case RECV -> c -> Process.socketOf(c).recvfrom(c, s.buf(), s.off(), s.len(), s.flags());
            case SEND -> c -> Process.socketOf(c).sendto(c, s.buf(), s.off(), s.len(), s.flags(), null);
            case READ -> c -> c.file().read(c, s.buf(), s.off(), s.len());
            case WRITE -> c -> c.file().write(c, s.buf(), s.off(), s.len());
            case CLOSE -> c -> process.closeFd(s.fd());
        };
        Object[] args = s.op() == IoUring.Op.TIMEOUT
                ? new Object[] {"user_data", s.userData(), "opcode", s.op().opcode, "timeout_ns", s.timeoutNanos()}
                : s.buf() != null ? new Object[] {"user_data", s.userData(), "opcode", s.op().opcode, "len", s.len()}
                : new Object[] {"user_data", s.userData(), "opcode", s.op().opcode};
        Call c = new Call(process, null, s.op().name().toLowerCase(), s.fd(), args, op, this::completed, true);
        inflight++;
        kernel.attempt(c);
    }

    private static long timeoutOp(Call c, long nanos) {
        if (c.timedOut) {
            return Errno.ETIME.negative();
        }
        c.timeout(nanos);
        return Call.BLOCK;
    }

    private void completed(Call c) {
        inflight--;
        if (c.killed || released) {
            return;
        }
        long ud = (long) c.args[1];
        synchronized (this) {
            cq.add(new IoUring.Cqe(ud, (int) c.result, 0));
        }
        wake(Sys.EPOLLIN | Sys.EPOLLRDNORM);
    }

    @Override
    void release() {
        synchronized (this) {
            cq.clear();
        }
    }
}
