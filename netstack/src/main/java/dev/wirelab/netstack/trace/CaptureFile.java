package dev.wirelab.netstack.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A live capture into a pcapng file, the way {@code tcpdump -w} keeps one: the bus hands each frame
 * over (a reference: captured frames are never modified) and a writer thread of its own encodes
 * and writes it, so disk I/O never runs on a node's or the bus's loop. Like a kernel capture
 * buffer with a timeout, the writer is not woken per frame: it wakes every millisecond, or at
 * once when a megabyte is waiting, and writes everything queued. The backlog is bounded; a frame
 * that finds it full is not written and is counted, as a kernel counts "packets dropped" for a
 * capture that cannot keep up. Events are not part of a pcapng capture and are ignored.
 */
public final class CaptureFile implements TraceSink, AutoCloseable {

    /** Default bound of frames waiting to be written, in bytes. */
    public static final long DEFAULT_BACKLOG_BYTES = 64L << 20;
    private static final long WAKE_BYTES = 1L << 20;
    private static final long TIMEOUT_NANOS = 1_000_000L;

    private record Pending(long timeNanos, String segment, String ingressPort, byte[] bytes) {
    }

    private final Path path;
    private final DirectChannelStream out;
    private final PcapngWriter writer;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean sleeping;
    private final long backlogLimit;
    private final AtomicLong backlog = new AtomicLong();
    private final LongAdder written = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile boolean closed;

    /**
     * Starts a capture into {@code path} (created or truncated).
     *
     * @param epochUnixNanos wall-clock time of the lab's time 0, for the timestamps
     */
    public CaptureFile(Path path, long epochUnixNanos) throws IOException {
        this(path, epochUnixNanos, DEFAULT_BACKLOG_BYTES);
    }

    public CaptureFile(Path path, long epochUnixNanos, long backlogLimitBytes) throws IOException {
        if (backlogLimitBytes <= 0) {
            throw new IllegalArgumentException("backlog limit must be positive, got " + backlogLimitBytes);
        }
        this.path = path;
        this.backlogLimit = backlogLimitBytes;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = DirectChannelStream.open(path, 1 << 20);
        this.writer = new PcapngWriter(out, epochUnixNanos);
        this.thread = new Thread(this::run, "capture-" + path.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    public Path path() {
        return path;
    }

    @Override
    public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        if (closed) {
            dropped.increment();
            return;
        }
        int len = bytes.length;
        if (backlog.addAndGet(len) > backlogLimit) {
            backlog.addAndGet(-len);
            dropped.increment();
            return;
        }
        queue.offer(new Pending(timeNanos, segment, ingressPort, bytes));
        if (sleeping && backlog.get() >= WAKE_BYTES) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            boolean stopping = closed;
            Pending p;
            while ((p = queue.poll()) != null) {
                try {
                    writer.write(p.timeNanos(), p.segment(), p.ingressPort(), p.bytes());
                    written.increment();
                } catch (IOException e) {
                    errors.increment();
                } finally {
                    backlog.addAndGet(-p.bytes().length);
                }
            }
            if (stopping) {
                break;
            }
            sleeping = true;
            if (backlog.get() < WAKE_BYTES && !closed) {
                LockSupport.parkNanos(this, TIMEOUT_NANOS);
            }
            sleeping = false;
        }
        Pending late;
        while ((late = queue.poll()) != null) { // handed over while closing: counted, not written
            dropped.increment();
            backlog.addAndGet(-late.bytes().length);
        }
        try {
            writer.close();
        } catch (IOException e) {
            errors.increment();
        }
    }

    @Override
    public void event(TraceEvent event) {
    }

    /**
     * Buffers into direct memory and writes whole buffers to the file: a byte is copied once into
     * the buffer and once by the kernel. (A heap buffer written through a channel is first copied
     * into a temporary direct one by the JDK, a third copy of every captured byte.)
     *
     * <p>Where the file system allows it the file is opened with O_DIRECT, as capture tools that
     * must keep up with fast links do: the disk then reads the buffer itself, and the kernel's copy
     * into the page cache (most of a buffered writer's CPU at gigabytes per second) is gone. Direct
     * I/O writes whole blocks from an aligned buffer at aligned offsets: the tail of the last block
     * is written padded and the file then cut to its real length.
     */
    private static final class DirectChannelStream extends OutputStream {
        private final Path path;
        private final int align;
        private final ByteBuffer buffer;
        private FileChannel channel;
        private boolean direct;
        private long filePosition; // where the buffer's first byte goes (block-aligned when direct)

        private DirectChannelStream(Path path, FileChannel channel, int size, int align, boolean direct) {
            this.path = path;
            this.channel = channel;
            this.align = align;
            this.direct = direct;
            this.buffer = ByteBuffer.allocateDirect(size + align).alignedSlice(align);
        }

        static DirectChannelStream open(Path path, int size) throws IOException {
            int align = 4096;
            try {
                align = (int) Math.max(align, Math.min(1 << 20, Files.getFileStore(path.toAbsolutePath().getParent())
                        .getBlockSize()));
            } catch (IOException | UnsupportedOperationException e) {
                // keep 4096
            }
            FileChannel ch = null;
            try {
                ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
                // Some file systems accept O_DIRECT at open and refuse it only when writing: probe
                // with one aligned block (the capture's first block overwrites it).
                ByteBuffer probe = ByteBuffer.allocateDirect(2 * align).alignedSlice(align).limit(align);
                ch.write(probe, 0);
                return new DirectChannelStream(path, ch, size, align, true);
            } catch (UnsupportedOperationException | IOException e) {
                // tmpfs and some others refuse O_DIRECT: write through the page cache instead.
                if (ch != null) {
                    ch.close();
                }
                return new DirectChannelStream(path, buffered(path, true), size, align, false);
            }
        }

        private static FileChannel buffered(Path path, boolean truncate) throws IOException {
            return truncate
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.WRITE);
        }

        @Override
        public void write(int b) throws IOException {
            if (!buffer.hasRemaining()) {
                drain();
            }
            buffer.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buffer.hasRemaining()) {
                    drain();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        /** Writes the whole blocks held and keeps the rest (less than a block) at the buffer's start. */
        private void drain() throws IOException {
            int end = buffer.position();
            int whole = direct ? end / align * align : end;
            writeAt(0, whole);
            filePosition += whole;
            int rest = end - whole;
            if (rest > 0) {
                buffer.put(0, buffer, whole, rest);
            }
            buffer.limit(buffer.capacity()).position(rest);
        }

        private void writeAt(int from, int to) throws IOException {
            try {
                writeFully(from, to);
            } catch (IOException e) {
                if (!direct) {
                    throw e;
                }
                // Direct writes failed after all: go on through the page cache from the same place
                // (positional writes: what is already on disk stays).
                channel.close();
                channel = buffered(path, false);
                direct = false;
                writeFully(from, to);
            }
        }

        private void writeFully(int from, int to) throws IOException {
            ByteBuffer b = buffer.duplicate().position(from).limit(to);
            long at = filePosition + from;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
        }

        @Override
        public void flush() throws IOException {
            drain();
        }

        @Override
        public void close() throws IOException {
            try {
                drain();
                int rest = buffer.position();
                if (rest > 0) {
                    // Direct I/O: the last, partial block, padded with zeros to a whole block, then cut off.
                    int padded = (rest + align - 1) / align * align;
                    for (int i = rest; i < padded; i++) {
                        buffer.put(i, (byte) 0);
                    }
                    writeAt(0, padded);
                    channel.truncate(filePosition + rest);
                }
            } finally {
                channel.close();
            }
        }

        boolean direct() {
            return direct;
        }
    }

    /**
     * True while the file is written with O_DIRECT (false where the file system refused it, or
     * after a direct write failed and the capture went on through the page cache).
     */
    public boolean directIo() {
        return out.direct();
    }

    /** Frames written so far. */
    public long framesWritten() {
        return written.sum();
    }

    /** Frames not written because the backlog was full (or the capture closed). */
    public long framesDropped() {
        return dropped.sum();
    }

    /** Frames lost to I/O errors. */
    public long writeErrors() {
        return errors.sum();
    }

    /** Writes what is queued, closes the file and stops the writer thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new UncheckedIOException(new IOException("capture " + path + " did not finish writing in 60 s"));
        }
    }
}
