package dev.wirelab.netstack.trace;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
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

    private final OutputStream out;
    private final long epochUnixNanos;
    private final Map<String, Integer> interfaces = new HashMap<>();
    private ByteBuffer block = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private long frames;

    /**
     * Starts a section on {@code out}.
     *
     * @param epochUnixNanos wall-clock time of the lab's time 0 ({@code EventLoop.epochUnixNanos()})
     */
    public PcapngWriter(OutputStream out, long epochUnixNanos) throws IOException {
        this.out = out;
        this.epochUnixNanos = epochUnixNanos;
        begin(SHB);
        block.putInt(BYTE_ORDER_MAGIC);
        block.putShort((short) 1).putShort((short) 0); // version 1.0
        block.putLong(-1L); // section length not specified: we stream
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
        int ifId = addInterface(segment, null);
        long ts = epochUnixNanos + timeNanos;
        begin(EPB);
        ensure(bytes.length + 64 + ingressPort.length() * 3);
        block.putInt(ifId);
        block.putInt((int) (ts >>> 32)).putInt((int) ts); // high 32 bits first, each in section byte order
        block.putInt(bytes.length).putInt(bytes.length); // captured length, original length
        block.put(bytes);
        pad();
        option(OPT_COMMENT, "ingress " + ingressPort);
        endOptions();
        end();
        frames++;
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
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
             PcapngWriter w = new PcapngWriter(os, epochUnixNanos)) {
            for (CapturedFrame f : frames) {
                w.write(f);
            }
        }
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
