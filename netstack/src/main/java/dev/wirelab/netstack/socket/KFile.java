package dev.wirelab.netstack.socket;

import java.util.ArrayList;
import java.util.List;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;

/**
 * An open file description of the node's kernel: a socket, a pipe end, a regular file, an epoll
 * or io_uring instance, a terminal. Lives on the node's loop. Readiness is {@link #poll()}; a
 * change of readiness is announced with {@link #wake(int)}, which runs the matching waiters.
 */
abstract class KFile {

    final Kernel kernel;
    /** File status flags (O_NONBLOCK, O_APPEND, access mode). */
    int flags;
    private final List<Waiter> waiters = new ArrayList<>(2);
    boolean released;
    /** Epoll items watching this file; closing the file removes them (as the last fput does). */
    List<EpollFile.Item> epollItems;

    KFile(Kernel kernel) {
        this.kernel = kernel;
    }

    /** "socket", "pipe", "file", "epoll", "io_uring", "tty": for traces. */
    abstract String type();

    /** Current readiness, EPOLL* bits. */
    abstract int poll();

    long read(Call c, byte[] b, int off, int len) {
        return Errno.EINVAL.negative();
    }

    long write(Call c, byte[] b, int off, int len) {
        return Errno.EINVAL.negative();
    }

    /**
     * Takes as many of the bytes as fit now, without waiting: a count (0 when full) or -errno.
     * The kernel's own writer (sendfile) uses it; files that cannot be written to say EINVAL.
     */
    long writeSome(byte[] b, int off, int len) {
        return Errno.EINVAL.negative();
    }

    /** The last descriptor was closed. */
    void release() {
    }

    boolean nonblocking() {
        return (flags & Sys.O_NONBLOCK) != 0;
    }

    Waiter addWaiter(int mask, boolean exclusive, boolean persistent, Runnable action) {
        Waiter w = new Waiter(this, mask, exclusive, persistent, action);
        waiters.add(w);
        return w;
    }

    void removeWaiter(Waiter w) {
        waiters.remove(w);
    }

    /**
     * Readiness may have changed in {@code events}: wakes the waiters interested in them (errors
     * and hang-ups always interest, as in Linux), all non-exclusive ones and the first exclusive one.
     */
    void wake(int events) {
        if (waiters.isEmpty()) {
            return;
        }
        boolean exclusiveWoken = false;
        for (Waiter w : List.copyOf(waiters)) {
            if (((w.mask | EPOLLERR | EPOLLHUP) & events) == 0) {
                continue;
            }
            if (w.exclusive) {
                if (exclusiveWoken) {
                    continue;
                }
                exclusiveWoken = true;
            }
            if (!w.persistent) {
                waiters.remove(w);
            }
            w.action.run();
        }
    }
}
