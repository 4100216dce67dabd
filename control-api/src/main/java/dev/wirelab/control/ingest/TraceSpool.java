package dev.wirelab.control.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * One run's trace on disk between capture and the database: append-only segment files
 * ({@code 000000000001.seg}, ...) in the run's directory, written by the bus's and nodes' threads
 * and read by ingest at the database's pace. A frame or event is "pending" from the moment it is
 * here until the transaction that stores it commits; the run's row in {@code runs} carries the
 * spool position that transaction reached, so after a kill -9 ingest resumes exactly there.
 *
 * <p>Record: 32-bit body length, 32-bit CRC-32C of the body, body = type ('F' frame, 'E' event),
 * seq, lab time, wall-clock capture time in ms (64-bit each), then length-prefixed fields: a frame's segment, ingress port and
 * bytes; an event's node, layer, kind and detail JSON. A record that is torn (the process died in
 * the middle of writing it) or fails its CRC ends the readable part of its segment: what follows
 * is counted as lost, never guessed at.
 *
 * <p>Appends go into a 1 MB buffer that is written to the file when full or when ingest has read
 * everything before it ({@link #flush}), so a spool costs the bus a memory copy per frame; the
 * page cache, not fsync, is what keeps it across a kill of the process (durability against a
 * machine crash stays the database's job: what was acknowledged is committed there).
 */
final class TraceSpool {

    private static final Logger log = LoggerFactory.getLogger(TraceSpool.class);
    static final int SEGMENT_BYTES = 64 << 20;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int HEADER = 8;
    static final byte FRAME = 'F';
    static final byte EVENT = 'E';

    /** Disk the spools of one control API may use together; appends beyond it are refused (counted as dropped). */
    static final class Budget {
        private final long limit;
        private final AtomicLong used = new AtomicLong();
        private final AtomicLong full = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        boolean take(long n) {
            if (used.addAndGet(n) > limit) {
                used.addAndGet(-n);
                full.incrementAndGet();
                return false;
            }
            return true;
        }

        void give(long n) {
            used.addAndGet(-n);
        }

        long used() {
            return used.get();
        }

        long limit() {
            return limit;
        }

        /** Rows refused because the budget was used up. */
        long refused() {
            return full.get();
        }
    }

    /** Where a reader stands, or a transaction got to: a segment and the offset in it. */
    record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            return segment != o.segment ? Long.compare(segment, o.segment) : Long.compare(offset, o.offset);
        }
    }

    /** A record as read back. {@code a, b, c}: segment, ingress port, null (frame) or node, layer, kind (event). */
    record Record(byte type, long seq, long timeNanos, long capturedMillis, String a, String b, String c, byte[] data, Position end) {
        boolean frame() {
            return type == FRAME;
        }
    }

    private final Path dir;
    private final Budget budget;
    /** A segment is closed and the next begun once it would grow beyond this. */
    private final long segmentBytes;
    private final CRC32C crc = new CRC32C();

    // Writer side, guarded by this.
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private FileChannel out;
    private long writeSegment;
    /** Bytes of the write segment in the file (not counting the buffer). */
    private long written;
    private boolean closed;
    private volatile boolean deleted;

    // Reader side: ingest's formatter thread only.
    private FileChannel in;
    private long readSegment;
    private long readOffset;
    private ByteBuffer readBuffer = ByteBuffer.allocate(1 << 20);
    /** Set when a segment's readable part ended before its size: the rest is lost. */
    private long lostBytes;

    /** Segments on disk, each with its size once it is no longer written (for the budget and cleanup). */
    private final TreeSet<Long> segments = new TreeSet<>();

    private TraceSpool(Path dir, Budget budget, long segmentBytes) {
        this.dir = dir;
        this.budget = budget;
        this.segmentBytes = segmentBytes;
    }

    /** A new, empty spool for a run starting now. */
    static TraceSpool create(Path dir, Budget budget) {
        return create(dir, budget, SEGMENT_BYTES);
    }

    static TraceSpool create(Path dir, Budget budget, long segmentBytes) {
        try {
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace spool " + dir, e);
        }
        TraceSpool s = new TraceSpool(dir, budget, segmentBytes);
        s.readSegment = 1;
        s.writeSegment = 0; // the first append opens segment 1
        return s;
    }

    /**
     * A spool a killed control API left, to be read from {@code from} (the position the database
     * holds; null: from its first segment). Its segments count against the budget until read.
     */
    static TraceSpool recover(Path dir, Budget budget, Position from) throws IOException {
        TraceSpool s = new TraceSpool(dir, budget, SEGMENT_BYTES);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".seg")) {
                    long n = Long.parseLong(name.substring(0, name.length() - 4));
                    s.segments.add(n);
                    budget.used.addAndGet(Files.size(p));
                }
            }
        }
        s.closed = true; // nothing more is appended to a recovered spool
        long first = s.segments.isEmpty() ? 1 : s.segments.first();
        if (from == null || from.segment() < first) {
            s.readSegment = first;
            s.readOffset = 0;
        } else {
            s.readSegment = from.segment();
            s.readOffset = from.offset();
        }
        s.writeSegment = 0; // no segment is being written: each is read up to its size, a torn tail counted as lost
        // Segments wholly before the position were stored but not yet deleted when the process died.
        s.committed(new Position(s.readSegment, s.readOffset));
        return s;
    }

    /** How many intact records a left spool holds from {@code from} (read once, before ingest starts on it). */
    static long countFrom(Path dir, Position from) throws IOException {
        TraceSpool s = recover(dir, new Budget(Long.MAX_VALUE), from);
        long n = 0;
        for (List<Record> part = s.read(10_000); !part.isEmpty(); part = s.read(10_000)) {
            n += part.size();
        }
        if (s.in != null) {
            s.in.close();
        }
        return n;
    }

    Path dir() {
        return dir;
    }

    private Path segmentPath(long n) {
        return dir.resolve(String.format("%012d.seg", n));
    }

    // ------------------------------------------------------------------ writing

    boolean appendFrame(long seq, long timeNanos, String segment, String port, byte[] bytes) {
        byte[] s = utf8(segment);
        byte[] p = utf8(port);
        return append(FRAME, seq, timeNanos, s, p, null, bytes);
    }

    boolean appendEvent(long seq, long timeNanos, String node, String layer, String kind, byte[] json) {
        return append(EVENT, seq, timeNanos, utf8(node), utf8(layer), utf8(kind), json);
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private synchronized boolean append(byte type, long seq, long time, byte[] a, byte[] b, byte[] c, byte[] data) {
        if (closed) {
            return false;
        }
        int body = 1 + 8 + 8 + 8 + 4 + a.length + 4 + b.length + (c == null ? 0 : 4 + c.length) + 4 + data.length;
        int size = HEADER + body;
        if (!budget.take(size)) {
            return false;
        }
        try {
            if (writeSegment == 0 || written + buffer.position() + size > segmentBytes && written + buffer.position() > 0) {
                roll();
            }
            if (size > buffer.remaining()) {
                writeBuffer();
            }
            ByteBuffer target = size <= buffer.remaining() ? buffer : ByteBuffer.allocate(size); // a huge record: alone
            int start = target.position();
            target.putInt(body).putInt(0).put(type).putLong(seq).putLong(time).putLong(System.currentTimeMillis());
            target.putInt(a.length).put(a).putInt(b.length).put(b);
            if (c != null) {
                target.putInt(c.length).put(c);
            }
            target.putInt(data.length).put(data);
            crc.reset();
            crc.update(target.duplicate().position(start + HEADER).limit(target.position()));
            target.putInt(start + 4, (int) crc.getValue());
            if (target != buffer) {
                target.flip();
                while (target.hasRemaining()) {
                    written += out.write(target);
                }
            }
            return true;
        } catch (IOException e) {
            budget.give(size);
            log.warn("Trace spool {}: cannot write ({}); the row is dropped", dir, e.getMessage());
            return false;
        }
    }

    private void roll() throws IOException {
        writeBuffer();
        if (out != null) {
            out.close();
        }
        writeSegment++;
        Path p = segmentPath(writeSegment);
        out = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        synchronized (segments) {
            segments.add(writeSegment);
        }
        written = 0;
    }

    private void writeBuffer() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            written += out.write(buffer);
        }
        buffer.clear();
    }

    /** Writes what is buffered to the file, where the reader sees it. */
    synchronized void flush() {
        if (out == null || buffer.position() == 0) {
            return;
        }
        try {
            writeBuffer();
        } catch (IOException e) {
            log.warn("Trace spool {}: cannot write ({})", dir, e.getMessage());
        }
    }

    /** No more appends (the run ended); what is buffered is written. */
    synchronized void seal() {
        flush();
        closed = true;
    }

    private synchronized long writtenIn(long segment) {
        return segment == writeSegment ? written : -1;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Up to {@code maxRecords} records from where the reader stands, in order; empty when it has
     * caught up with what was written. Only ingest's formatter thread reads.
     */
    List<Record> read(int maxRecords) throws IOException {
        List<Record> out = new ArrayList<>();
        if (deleted) {
            return out;
        }
        while (out.size() < maxRecords) {
            long end = writtenIn(readSegment);
            boolean current = end >= 0;
            if (!current) {
                Path p = segmentPath(readSegment);
                if (!Files.exists(p)) {
                    if (nextSegment()) {
                        continue;
                    }
                    break;
                }
                end = Files.size(p);
            }
            if (readOffset >= end) {
                if (!current && nextSegment()) {
                    continue;
                }
                break;
            }
            if (in == null) {
                in = FileChannel.open(segmentPath(readSegment), StandardOpenOption.READ);
            }
            int want = (int) Math.min(end - readOffset, Math.max(readBuffer.capacity(), 1 << 20));
            if (readBuffer.capacity() < want) {
                readBuffer = ByteBuffer.allocate(want);
            }
            readBuffer.clear().limit(want);
            while (readBuffer.hasRemaining()) {
                if (in.read(readBuffer, readOffset + readBuffer.position()) < 0) {
                    break;
                }
            }
            readBuffer.flip();
            int before = out.size();
            int used = parse(readBuffer, out, maxRecords);
            readOffset += used;
            if (out.size() == before) {
                if (used == 0 && readBuffer.remaining() >= HEADER) {
                    int body = readBuffer.getInt(0);
                    if (body > 0 && HEADER + (long) body > readBuffer.remaining() && HEADER + (long) body <= end - readOffset) {
                        readBuffer = ByteBuffer.allocate(HEADER + body); // one record larger than the buffer
                        continue;
                    }
                }
                if (current) {
                    break; // the rest is still being written
                }
                // A torn or damaged record ends this segment's readable part.
                long lost = end - readOffset;
                if (lost > 0) {
                    lostBytes += lost;
                    log.warn("Trace spool {}: segment {} ends with {} unreadable bytes (torn or damaged); they are "
                            + "counted as lost", dir, readSegment, lost);
                    readOffset = end;
                }
                if (!nextSegment()) {
                    break;
                }
            }
        }
        return out;
    }

    private boolean nextSegment() throws IOException {
        long next;
        synchronized (segments) {
            Long n = segments.higher(readSegment);
            if (n == null) {
                return false;
            }
            next = n;
        }
        if (in != null) {
            in.close();
            in = null;
        }
        readSegment = next;
        readOffset = 0;
        return true;
    }

    /** Parses whole, intact records from {@code b}; returns the bytes they took. */
    private int parse(ByteBuffer b, List<Record> out, int maxRecords) {
        int used = 0;
        CRC32C check = new CRC32C();
        while (out.size() < maxRecords && b.remaining() - used >= HEADER) {
            int at = b.position() + used;
            int body = b.getInt(at);
            int sum = b.getInt(at + 4);
            if (body < 37 || body > b.remaining() - used - HEADER) {
                break;
            }
            check.reset();
            check.update(b.duplicate().position(at + HEADER).limit(at + HEADER + body));
            if ((int) check.getValue() != sum) {
                break;
            }
            ByteBuffer r = b.duplicate().position(at + HEADER).limit(at + HEADER + body);
            try {
                byte type = r.get();
                long seq = r.getLong();
                long time = r.getLong();
                long captured = r.getLong();
                String a = string(r);
                String s2 = string(r);
                String c = type == EVENT ? string(r) : null;
                byte[] data = new byte[r.getInt()];
                r.get(data);
                used += HEADER + body;
                out.add(new Record(type, seq, time, captured, a, s2, c, data, new Position(readSegment, readOffset + used)));
            } catch (RuntimeException e) {
                break; // a length that does not fit: damaged
            }
        }
        return used;
    }

    private static String string(ByteBuffer r) {
        byte[] s = new byte[r.getInt()];
        r.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** Unreadable bytes found so far (torn or damaged records). */
    long lostBytes() {
        return lostBytes;
    }

    // ------------------------------------------------------------------ after commit

    /** The database holds everything before {@code p}: segments wholly before it are deleted. */
    void committed(Position p) {
        List<Long> gone = new ArrayList<>();
        synchronized (segments) {
            for (Long n : segments.headSet(p.segment(), false)) {
                gone.add(n);
            }
            segments.removeAll(gone);
        }
        for (long n : gone) {
            try {
                Path f = segmentPath(n);
                long size = Files.size(f);
                Files.delete(f);
                budget.give(size);
            } catch (IOException e) {
                log.warn("Trace spool {}: cannot delete segment {} ({})", dir, n, e.getMessage());
            }
        }
    }

    /** Bytes on disk and in the buffer. */
    synchronized long bytes() {
        long sum = buffer.position();
        synchronized (segments) {
            for (long n : segments) {
                if (n == writeSegment) {
                    sum += written;
                } else {
                    try {
                        sum += Files.size(segmentPath(n));
                    } catch (IOException ignored) {
                        // deleted meanwhile
                    }
                }
            }
        }
        return sum;
    }

    /** Deletes the whole spool (every row is stored, or the run is gone). */
    void delete() {
        long size = 0;
        synchronized (this) {
            if (deleted) {
                return;
            }
            deleted = true;
            closed = true;
            size += buffer.position(); // taken from the budget, never written
            try {
                if (out != null) {
                    out.close();
                }
                if (in != null) {
                    in.close();
                }
            } catch (IOException ignored) {
                // deleting anyway
            }
            buffer.clear();
        }
        synchronized (segments) {
            for (long n : segments) {
                try {
                    size += Files.size(segmentPath(n));
                } catch (IOException ignored) {
                    // already gone
                }
            }
            segments.clear();
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            log.warn("Trace spool {}: cannot delete ({})", dir, e.getMessage());
        }
        budget.give(size);
    }

    boolean deleted() {
        return deleted;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
