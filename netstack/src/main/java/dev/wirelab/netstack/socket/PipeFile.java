package dev.wirelab.netstack.socket;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDNORM;
import static dev.wirelab.netstack.socket.Sys.EPOLLWRNORM;

/**
 * One end of a pipe (pipe(7)): a bounded byte FIFO between threads or processes. Threads of a
 * program hand work to each other through pipes, since a program thread must wait only in system
 * calls (a Java lock would stall virtual time).
 */
final class PipeFile extends KFile {

    /** The buffer both ends share. */
    static final class Buffer {
        final byte[] data = new byte[Sys.PIPE_CAPACITY];
        int head;
        int size;
        PipeFile reader;
        PipeFile writer;
    }

    private final Buffer buffer;
    private final boolean readEnd;

    private PipeFile(Kernel kernel, Buffer buffer, boolean readEnd) {
        super(kernel);
        this.buffer = buffer;
        this.readEnd = readEnd;
        flags = readEnd ? Sys.O_RDONLY : Sys.O_WRONLY;
    }

    /** [read end, write end]. */
    static PipeFile[] create(Kernel kernel) {
        Buffer b = new Buffer();
        b.reader = new PipeFile(kernel, b, true);
        b.writer = new PipeFile(kernel, b, false);
        return new PipeFile[] {b.reader, b.writer};
    }

    @Override
    String type() {
        return "pipe";
    }

    @Override
    int poll() {
        if (readEnd) {
            int m = buffer.size > 0 ? EPOLLIN | EPOLLRDNORM : 0;
            return buffer.writer == null ? m | EPOLLHUP : m;
        }
        if (buffer.reader == null) {
            return EPOLLOUT | EPOLLWRNORM | EPOLLERR;
        }
        return Sys.PIPE_CAPACITY - buffer.size >= Sys.PIPE_BUF ? EPOLLOUT | EPOLLWRNORM : 0;
    }

    @Override
    long read(Call c, byte[] b, int off, int len) {
        if (!readEnd) {
            return Errno.EBADF.negative();
        }
        if (len == 0) {
            return 0;
        }
        if (buffer.size == 0) {
            if (buffer.writer == null) {
                return 0; // end of file: every writer has closed
            }
            if (c.mustNotBlock(this, 0)) {
                return Errno.EAGAIN.negative();
            }
            c.waitFor(this, EPOLLIN);
            return Call.BLOCK;
        }
        int n = Math.min(len, buffer.size);
        for (int i = 0; i < n; i++) {
            b[off + i] = buffer.data[(buffer.head + i) % buffer.data.length];
        }
        buffer.head = (buffer.head + n) % buffer.data.length;
        buffer.size -= n;
        if (buffer.writer != null) {
            buffer.writer.wake(EPOLLOUT);
        }
        return n;
    }

    @Override
    long write(Call c, byte[] b, int off, int len) {
        if (readEnd) {
            return Errno.EBADF.negative();
        }
        if (buffer.reader == null) {
            return Errno.EPIPE.negative(); // no reader: EPIPE (SIGPIPE is not modelled)
        }
        int free = Sys.PIPE_CAPACITY - buffer.size;
        int remaining = len - (int) c.progress;
        // pipe(7): writes of at most PIPE_BUF bytes are atomic; larger ones may be split.
        boolean atomic = len <= Sys.PIPE_BUF;
        int n = atomic ? (free >= remaining ? remaining : 0) : Math.min(free, remaining);
        for (int i = 0; i < n; i++) {
            buffer.data[(buffer.head + buffer.size + i) % buffer.data.length] = b[off + (int) c.progress + i];
        }
        buffer.size += n;
        c.progress += n;
        if (n > 0) {
            buffer.reader.wake(EPOLLIN | EPOLLRDNORM);
        }
        if (c.progress == len) {
            return len;
        }
        if (c.mustNotBlock(this, 0)) {
            return c.progress > 0 ? c.progress : Errno.EAGAIN.negative();
        }
        c.waitFor(this, EPOLLOUT);
        return Call.BLOCK;
    }

    @Override
    void release() {
        if (readEnd) {
            buffer.reader = null;
            if (buffer.writer != null) {
                buffer.writer.wake(EPOLLOUT | EPOLLERR);
            }
        } else {
            buffer.writer = null;
            if (buffer.reader != null) {
                buffer.reader.wake(EPOLLIN | EPOLLHUP);
            }
        }
    }
}
