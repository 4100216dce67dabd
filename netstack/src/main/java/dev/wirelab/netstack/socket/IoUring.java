package dev.wirelab.netstack.socket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An io_uring instance as a program sees it (liburing style): requests are prepared into the
 * submission queue ({@code prep*}, false when it is full), handed to the kernel with
 * {@link #submit()}, and their results come back in the completion queue as {@link Cqe}s whose
 * {@code res} is a byte count, a descriptor or {@code -errno}. The kernel performs each request
 * without the program waiting: a receive on an empty socket arms an internal poll and completes
 * when data arrives. Used from the owning process's threads.
 *
 * <p>Differences from Linux, on purpose: {@link #waitCqe()} also marks the entry seen; a TIMEOUT
 * request completes only when its time passes (no completion count); requests are not linked.
 */
public final class IoUring implements AutoCloseable {

    /** Request opcodes, with Linux's numbers. */
    public enum Op {
        NOP(0), TIMEOUT(11), ACCEPT(13), CONNECT(16), CLOSE(19), READ(22), WRITE(23), SEND(26), RECV(27);

        public final int opcode;

        Op(int opcode) {
            this.opcode = opcode;
        }
    }

    /** A submission queue entry. */
    public record Sqe(Op op, int fd, byte[] buf, int off, int len, int flags, SockAddr addr, long timeoutNanos,
                      long userData) {
        public Sqe {
            Objects.requireNonNull(op, "op");
            if (buf != null) {
                Objects.checkFromIndexSize(off, len, buf.length);
            }
        }
    }

    /** A completion queue entry: {@code res} >= 0 on success, {@code -errno} on failure. */
    public record Cqe(long userData, int res, int flags) {
        public boolean failed() {
            return res < 0;
        }

        /** The errno of a failed request. */
        public Errno errno() {
            return Errno.of(-res);
        }
    }

    private final Process process;
    private final int fd;
    private final int entries;
    final UringFile ring;
    private final ArrayDeque<Sqe> sq = new ArrayDeque<>();

    IoUring(Process process, int fd, int entries, UringFile ring) {
        this.process = process;
        this.fd = fd;
        this.entries = entries;
        this.ring = ring;
    }

    /** The ring's descriptor. */
    public int fd() {
        return fd;
    }

    public int entries() {
        return entries;
    }

    /** Requests prepared and not yet submitted. */
    public int pending() {
        return sq.size();
    }

    private boolean prep(Sqe sqe) {
        if (sq.size() >= entries) {
            return false; // io_uring_get_sqe() returns NULL: submit first
        }
        sq.add(sqe);
        return true;
    }

    public boolean prepNop(long userData) {
        return prep(new Sqe(Op.NOP, -1, null, 0, 0, 0, null, 0, userData));
    }

    /** accept4(fd, NULL, NULL, flags): res is the new descriptor. */
    public boolean prepAccept(int fd, int flags, long userData) {
        return prep(new Sqe(Op.ACCEPT, fd, null, 0, 0, flags, null, 0, userData));
    }

    public boolean prepConnect(int fd, SockAddr addr, long userData) {
        return prep(new Sqe(Op.CONNECT, fd, null, 0, 0, 0, Objects.requireNonNull(addr), 0, userData));
    }

    /** recv: the kernel writes into {@code buf} later; do not touch it until the completion. */
    public boolean prepRecv(int fd, byte[] buf, int off, int len, int flags, long userData) {
        return prep(new Sqe(Op.RECV, fd, buf, off, len, flags, null, 0, userData));
    }

    /** send: the kernel reads {@code buf} later; do not change it until the completion. */
    public boolean prepSend(int fd, byte[] buf, int off, int len, int flags, long userData) {
        return prep(new Sqe(Op.SEND, fd, buf, off, len, flags, null, 0, userData));
    }

    public boolean prepRead(int fd, byte[] buf, int off, int len, long userData) {
        return prep(new Sqe(Op.READ, fd, buf, off, len, 0, null, 0, userData));
    }

    public boolean prepWrite(int fd, byte[] buf, int off, int len, long userData) {
        return prep(new Sqe(Op.WRITE, fd, buf, off, len, 0, null, 0, userData));
    }

    public boolean prepClose(int fd, long userData) {
        return prep(new Sqe(Op.CLOSE, fd, null, 0, 0, 0, null, 0, userData));
    }

    /** Completes with -ETIME after {@code nanos}. */
    public boolean prepTimeout(long nanos, long userData) {
        return prep(new Sqe(Op.TIMEOUT, -1, null, 0, 0, 0, null, Math.max(0, nanos), userData));
    }

    /** io_uring_submit: hands every prepared request to the kernel; returns how many. */
    public int submit() throws SyscallException {
        return enter(0, -1);
    }

    /** io_uring_submit_and_wait: submits, then waits until {@code waitNr} completions are queued. */
    public int submitAndWait(int waitNr) throws SyscallException {
        return enter(waitNr, -1);
    }

    /** io_uring_wait_cqe: the next completion, waiting for one if none is queued (and marks it seen). */
    public Cqe waitCqe() throws SyscallException {
        Cqe c = peekCqe();
        while (c == null) {
            enter(1, -1);
            c = peekCqe();
        }
        return c;
    }

    /** io_uring_wait_cqe_timeout: the next completion, or null when none came within {@code nanos}. */
    public Cqe waitCqe(long nanos) throws SyscallException {
        Cqe c = peekCqe();
        if (c == null) {
            enter(1, Math.max(0, nanos));
            c = peekCqe();
        }
        return c;
    }

    /** io_uring_peek_cqe: the next completion or null, without a system call (the ring is shared memory). */
    public Cqe peekCqe() {
        return ring.take();
    }

    /** Completions queued now. */
    public int ready() {
        return ring.queued();
    }

    private int enter(int minComplete, long timeoutNanos) throws SyscallException {
        List<Sqe> batch = new ArrayList<>(sq);
        sq.clear();
        return process.ioUringEnter(this, batch, minComplete, timeoutNanos);
    }

    @Override
    public void close() throws SyscallException {
        process.close(fd);
    }
}
