package dev.wirelab.netstack.trace;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a capture as pcapng (draft-ietf-opsawg-pcapng, "PCAP Now Generic"): one Section Header
 * Block, one Interface Description Block per segment (LINKTYPE_ETHERNET, {@code if_name} = the
 * segment, nanosecond timestamps), and one Enhanced Packet Block per frame whose comment names
 * the ingress port. Blocks stream to the output as frames come; nothing is buffered beyond one
 * block. The bytes depend only on the frames and the epoch (no wall clock, no host name), so a
 * virtual-time run gives a byte-identical file. Little-endian, as the byte-order magic says.
 */
public final class PcapngWriter implements Closeable, Flushable {

    // draft-ietf-opsawg-pcapng section 4.1 (SHB), 4.2 (IDB), 4.3 (EPB): block type codes.
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 0x00000001;
    private static final int EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** LINKTYPE_ETHERNET: IEEE 802.3 frames, destination MAC first, no FCS. */
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 262144;
    // Option codes: section 3.5 (common), 4.1, 4.2.
    private static final int OPT_ENDOFOPT = 0;
    private static final int OPT_COMMENT = 1;
    private static final int SHB_USERAPPL = 4;
    private static final int IF_NAME = 2;
    private static final int IF_DESCRIPTION = 3;
    private static final int IF_TSRESOL = 9;
    /** EPB fields before the packet data: type, total length, interface, timestamp (2), lengths (2). */
    private static final int EPB_HEAD = 28;
    /**
     * Frames up to this size are copied into one block, written with one call; larger ones go to
     * the stream as they are, between a write of the fields before them and one of the fields
     * after them. Into a BufferedOutputStream (PcapngWriterBenchmark), the two extra calls, each
     * taking the stream's lock, cost more than copying a 1514-byte frame, about as much as copying
     * 4000 bytes, and less than copying a 9014-byte jumbo frame.
     */
    private static final int COPY_LIMIT = 4096;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * What the EPBs of one ingress port on one segment share: the interface id and the encoded
     * options, opt_comment "ingress port" (padded to 32 bits) then opt_endofopt, so that a frame
     * costs no string concatenation, no UTF-8 encoding and a single map lookup.
     */
    private record Port(String segment, int ifId, byte[] options) {
    }

    private final OutputStream out;
    private final long epochUnixNanos;
    private final Map<String, Integer> interfaces = new HashMap<>();
    /** By ingress port name: the segment it was last seen on, with its interface and options. */
    private final Map<String, Port> ports = new HashMap<>();
    /** SHB and IDB assembly. */
    private ByteBuffer block = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    /** EPB assembly: the whole block of a small frame, or the fields before or after a large one. */
    private byte[] epb = new byte[EPB_HEAD + COPY_LIMIT + 3 + 64];
    private long frames;

    /**
     * Starts a section on {@code out}.
     *
     * @param epochUnixNanos wall-clock time of the lab's time 0 ({@code EventLoop.epochUnixNanos()})
     */
    public PcapngWriter(OutputStream out, long epochUnixNanos) throws IOException {
        this(out, epochUnixNanos, null);
    }

    /**
     * Starts a section on {@code out} with a comment (Wireshark shows it in Statistics, Capture File
     * Properties), e.g. which frames the file holds.
     *
     * @param comment the section's opt_comment, or null
     */
    public PcapngWriter(OutputStream out, long epochUnixNanos, String comment) throws IOException {
        this.out = out;
        this.epochUnixNanos = epochUnixNanos;
        begin(SHB);
        block.putInt(BYTE_ORDER_MAGIC);
        block.putShort((short) 1).putShort((short) 0); // version 1.0
        block.putLong(-1L); // section length not specified: we stream
        if (comment != null) {
            option(OPT_COMMENT, comment);
        }
        option(SHB_USERAPPL, "Wirelab");
        endOptions();
        end();
    }

    /**
     * Declares the interface of a segment now, so interfaces can be numbered in a chosen order
     * (e.g. the topology's); otherwise a segment gets its interface when its first frame comes.
     *
     * @param description e.g. "VXLAN VNI 100", or null
     * @return the interface id
     */
    public synchronized int addInterface(String segment, String description) throws IOException {
        Integer id = interfaces.get(segment);
        if (id != null) {
            return id;
        }
        begin(IDB);
        block.putShort((short) LINKTYPE_ETHERNET).putShort((short) 0);
        block.putInt(SNAPLEN);
        option(IF_NAME, segment);
        if (description != null) {
            option(IF_DESCRIPTION, description);
        }
        // if_tsresol = 9: timestamps count nanoseconds (10^-9 s).
        block.putShort((short) IF_TSRESOL).putShort((short) 1).put((byte) 9);
        pad();
        endOptions();
        end();
        id = interfaces.size();
        interfaces.put(segment, id);
        return id;
    }

    public void write(CapturedFrame f) throws IOException {
        write(f.timeNanos(), f.segment(), f.ingressPort(), f.bytes());
    }

    /** Writes one frame seen on {@code segment} at lab time {@code timeNanos}. */
    public synchronized void write(long timeNanos, String segment, String ingressPort, byte[] bytes) throws IOException {
        Port port = ports.get(ingressPort);
        if (port == null || (port.segment != segment && !port.segment.equals(segment))) {
            port = port(segment, ingressPort, port);
        }
        int length = bytes.length;
        int padding = -length & 3;
        byte[] options = port.options;
        int total = EPB_HEAD + length + padding + options.length + 4;
        int tail = padding + options.length + 4;
        byte[] e = epb;
        if (e.length < EPB_HEAD + Math.min(length, COPY_LIMIT) + tail) {
            e = epb = new byte[EPB_HEAD + COPY_LIMIT + tail];
        }
        long ts = epochUnixNanos + timeNanos;
        INT_LE.set(e, 0, EPB);
        INT_LE.set(e, 4, total);
        INT_LE.set(e, 8, port.ifId);
        INT_LE.set(e, 12, (int) (ts >>> 32)); // high 32 bits first, each in section byte order
        INT_LE.set(e, 16, (int) ts);
        INT_LE.set(e, 20, length); // captured length
        INT_LE.set(e, 24, length); // original length
        if (length <= COPY_LIMIT) {
            System.arraycopy(bytes, 0, e, EPB_HEAD, length);
            epbTail(e, EPB_HEAD + length, padding, options, total);
            out.write(e, 0, total);
        } else {
            out.write(e, 0, EPB_HEAD);
            out.write(bytes, 0, length);
            epbTail(e, 0, padding, options, total);
            out.write(e, 0, tail);
        }
        frames++;
    }

    /** Packet data padding, options, trailing total length (section 3.1), from {@code at}. */
    private static void epbTail(byte[] e, int at, int padding, byte[] options, int total) {
        for (int i = 0; i < padding; i++) {
            e[at++] = 0;
        }
        System.arraycopy(options, 0, e, at, options.length);
        INT_LE.set(e, at + options.length, total);
    }

    /** The first frame of a port, or of a port on another segment than before: the interface, the options. */
    private Port port(String segment, String ingressPort, Port before) throws IOException {
        int ifId = addInterface(segment, null);
        byte[] options;
        if (before != null) {
            options = before.options;
        } else {
            block.clear();
            option(OPT_COMMENT, "ingress " + ingressPort);
            endOptions();
            options = java.util.Arrays.copyOf(block.array(), block.position());
        }
        Port port = new Port(segment, ifId, options);
        ports.put(ingressPort, port);
        return port;
    }

    public synchronized long frameCount() {
        return frames;
    }

    /**
     * A sink that streams every frame into this writer (events are ignored). A frame that cannot
     * be written is counted in {@code errors}, never thrown at the bus.
     */
    public TraceSink asTraceSink(AtomicLong errors) {
        return new TraceSink() {
            @Override
            public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
                try {
                    write(timeNanos, segment, ingressPort, bytes);
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            }

            @Override
            public void event(TraceEvent event) {
            }
        };
    }

    /** Writes every frame a recorder holds to {@code path}, replacing it. */
    public static void write(TraceRecorder recorder, long epochUnixNanos, Path path) throws IOException {
        write(recorder.frames(), epochUnixNanos, path);
    }

    /** Writes frames to {@code path} (parent directories are created), replacing it. */
    public static void write(List<CapturedFrame> frames, long epochUnixNanos, Path path) throws IOException {
        try (OutputStream os = create(path); PcapngWriter w = new PcapngWriter(os, epochUnixNanos)) {
            for (CapturedFrame f : frames) {
                w.write(f);
            }
        }
    }

    /**
     * Writes the frames of {@code view} to {@code path}, replacing it, the view named in the
     * section comment. Every segment of {@code frames} has its interface, numbered in the order the
     * segments first appear, whichever frames the view keeps: interface ids are those of the file
     * of every frame.
     *
     * @return the number of frames written
     */
    public static long write(List<CapturedFrame> frames, long epochUnixNanos, Path path, CaptureView view)
            throws IOException {
        try (OutputStream os = create(path); PcapngWriter w = new PcapngWriter(os, epochUnixNanos, view.comment())) {
            for (CapturedFrame f : frames) {
                w.addInterface(f.segment(), null);
            }
            for (CapturedFrame f : view.select(frames)) {
                w.write(f);
            }
            return w.frameCount();
        }
    }

    /**
     * Writes the frames of {@code view} from a spool to {@code path}, as {@link #write(List, long, Path,
     * CaptureView)} does from memory: the conversations view reads the spool twice (headers to choose,
     * then the frames kept), so the run's frames never need to be in memory at once.
     *
     * @return the number of frames written
     */
    public static long write(FrameSpool spool, long epochUnixNanos, Path path, CaptureView view) throws IOException {
        try (OutputStream os = create(path); PcapngWriter w = new PcapngWriter(os, epochUnixNanos, view.comment())) {
            for (String segment : spool.segments()) {
                w.addInterface(segment, null);
            }
            if (view == CaptureView.ALL) {
                spool.forEach((seq, t, segment, port, bytes) -> w.write(t, segment, port, bytes));
            } else {
                ConversationFilter filter = new ConversationFilter();
                spool.forEach((seq, t, segment, port, bytes) -> filter.observe(segment, bytes, bytes.length));
                filter.rewind();
                spool.forEach((seq, t, segment, port, bytes) -> {
                    if (filter.keep(segment, bytes, bytes.length)) {
                        w.write(t, segment, port, bytes);
                    }
                });
            }
            return w.frameCount();
        }
    }

    /** Writes each segment's frames from a spool to its own file ({@code files}: by segment), in one pass. */
    public static java.util.Map<String, Long> writeSegments(FrameSpool spool, long epochUnixNanos,
                                                            java.util.Map<String, Path> files) throws IOException {
        java.util.Map<String, PcapngWriter> writers = new java.util.LinkedHashMap<>();
        java.util.Map<String, OutputStream> streams = new java.util.LinkedHashMap<>();
        IOException failure = null;
        try {
            for (java.util.Map.Entry<String, Path> e : files.entrySet()) {
                OutputStream os = create(e.getValue());
                streams.put(e.getKey(), os);
                writers.put(e.getKey(), new PcapngWriter(os, epochUnixNanos));
            }
            spool.forEach((seq, t, segment, port, bytes) -> {
                PcapngWriter w = writers.get(segment);
                if (w != null) {
                    w.write(t, segment, port, bytes);
                }
            });
        } finally {
            for (OutputStream os : streams.values()) {
                try {
                    os.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        writers.forEach((segment, w) -> counts.put(segment, w.frameCount()));
        return counts;
    }

    private static OutputStream create(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    // --- block assembly: type, total length, body, total length again (section 3.1) ---

    private void begin(int type) {
        block.clear();
        block.putInt(type);
        block.putInt(0); // total length, patched in end()
    }

    private void end() throws IOException {
        ensure(4);
        int total = block.position() + 4;
        block.putInt(4, total);
        block.putInt(total);
        out.write(block.array(), 0, total);
    }

    /** Section 3.5: code, length, value padded to 32 bits. */
    private void option(int code, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        if (v.length > 0xFFFF) {
            v = java.util.Arrays.copyOf(v, 0xFFFF);
        }
        ensure(v.length + 8);
        block.putShort((short) code).putShort((short) v.length).put(v);
        pad();
    }

    private void endOptions() {
        ensure(4);
        block.putShort((short) OPT_ENDOFOPT).putShort((short) 0);
    }

    private void pad() {
        while ((block.position() & 3) != 0) {
            block.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (block.remaining() < more + 8) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(block.capacity() * 2, block.position() + more + 64))
                    .order(ByteOrder.LITTLE_ENDIAN);
            block.flip();
            bigger.put(block);
            block = bigger;
        }
    }
}
