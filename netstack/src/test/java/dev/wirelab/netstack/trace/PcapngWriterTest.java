package dev.wirelab.netstack.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PcapngWriterTest {

    private static final Path CAPTURES = Path.of("target", "captures");
    private static final long EPOCH = VirtualTimeScheduler.DEFAULT_EPOCH_UNIX_NANOS;

    /** An ARP request (RFC 826) for 10.0.0.2 from 02:00:00:00:00:01 / 10.0.0.1, padded to 60 bytes. */
    private static byte[] arpRequest(int lastByte) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, (byte) lastByte, 0x08, 0x06});
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(new byte[] {2, 0, 0, 0, 0, (byte) lastByte, 10, 0, 0, (byte) lastByte});
        b.put(new byte[] {0, 0, 0, 0, 0, 0, 10, 0, 0, 2});
        return b.array();
    }

    private static List<CapturedFrame> sample() {
        List<CapturedFrame> l = new ArrayList<>();
        l.add(new CapturedFrame(0, 0, "lan", "pc1:eth0", arpRequest(1)));
        l.add(new CapturedFrame(1, 1_234_567_891L, "wan", "r1:eth1", arpRequest(3)));
        l.add(new CapturedFrame(2, 2_000_000_001L, "lan", "r1:eth0", arpRequest(4)));
        return l;
    }

    @Test
    void tsharkReadsTheCaptureWithInterfacesTimestampsAndComments() throws IOException {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        Path file = CAPTURES.resolve("pcapng-writer-sample.pcapng");
        PcapngWriter.write(sample(), EPOCH, file);

        Tshark.Verdict v = Tshark.judge(file);
        assertThat(v.frames()).isEqualTo(3);
        assertThat(v.problems()).isEmpty();
        List<Map<String, String>> rows = Tshark.fields(file, false, null,
                "frame.interface_id", "frame.interface_name", "frame.time_epoch", "frame.comment", "arp.src.proto_ipv4");
        assertThat(rows).extracting(r -> r.get("frame.interface_name")).containsExactly("lan", "wan", "lan");
        assertThat(rows).extracting(r -> r.get("frame.interface_id")).containsExactly("0", "1", "0");
        assertThat(rows).extracting(r -> r.get("frame.comment"))
                .containsExactly("ingress pc1:eth0", "ingress r1:eth1", "ingress r1:eth0");
        assertThat(rows).extracting(r -> r.get("arp.src.proto_ipv4")).containsExactly("10.0.0.1", "10.0.0.3", "10.0.0.4");
        // 2026-01-01T00:00:00Z + lab time, to the nanosecond
        assertThat(rows).extracting(r -> new BigDecimal(r.get("frame.time_epoch")))
                .containsExactly(new BigDecimal("1767225600.000000000"), new BigDecimal("1767225601.234567891"),
                        new BigDecimal("1767225602.000000001"));
    }

    @Test
    void sameFramesGiveIdenticalBytes() throws IOException {
        assertThat(bytes(sample())).isEqualTo(bytes(sample()));
        List<CapturedFrame> shifted = new ArrayList<>(sample());
        shifted.set(1, new CapturedFrame(1, 1_234_567_892L, "wan", "r1:eth1", arpRequest(3)));
        assertThat(bytes(shifted)).isNotEqualTo(bytes(sample()));
    }

    private static byte[] bytes(List<CapturedFrame> frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapngWriter w = new PcapngWriter(out, EPOCH)) {
            for (CapturedFrame f : frames) {
                w.write(f);
            }
        }
        return out.toByteArray();
    }

    @Test
    void blocksAreWellFormed() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes(sample())).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> types = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            int type = b.getInt(start);
            int len = b.getInt(start + 4);
            assertThat(len % 4).isZero();
            assertThat(b.getInt(start + len - 4)).as("trailing length").isEqualTo(len);
            types.add(type);
            b.position(start + len);
        }
        // SHB, IDB lan, EPB, IDB wan, EPB, EPB
        assertThat(types).containsExactly(0x0A0D0D0A, 1, 6, 1, 6, 6);
        ByteBuffer shb = ByteBuffer.wrap(bytes(sample())).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(shb.getInt(8)).isEqualTo(0x1A2B3C4D);
        assertThat(shb.getShort(12)).isEqualTo((short) 1);
        assertThat(shb.getLong(16)).isEqualTo(-1L);
    }

    @Test
    void interfacesCanBeDeclaredInAChosenOrder() throws IOException {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        Path file = CAPTURES.resolve("pcapng-writer-declared.pcapng");
        Files.createDirectories(CAPTURES);
        try (PcapngWriter w = new PcapngWriter(Files.newOutputStream(file), EPOCH)) {
            w.addInterface("wan", "VXLAN VNI 2");
            w.addInterface("lan", "VXLAN VNI 1");
            for (CapturedFrame f : sample()) {
                w.write(f);
            }
            assertThat(w.frameCount()).isEqualTo(3);
        }
        List<Map<String, String>> rows = Tshark.fields(file, false, null, "frame.interface_id", "frame.interface_name",
                "frame.interface_description");
        assertThat(rows).extracting(r -> r.get("frame.interface_id")).containsExactly("1", "0", "1");
        assertThat(rows).extracting(r -> r.get("frame.interface_description"))
                .containsExactly("VXLAN VNI 1", "VXLAN VNI 2", "VXLAN VNI 1");
    }

    @Test
    void aViewNamesItselfInTheSectionCommentAndKeepsEveryInterface() throws IOException {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        Path file = CAPTURES.resolve("pcapng-writer-view.pcapng");
        // Broadcast ARP stays; a datagram seen on dmz and again, routed, on core stays from dmz only,
        // and core, without frames in the view, keeps its interface.
        byte[] ip = {0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
                0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, (byte) 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
        List<CapturedFrame> frames = new ArrayList<>(sample());
        frames.add(1, new CapturedFrame(9, 5, "dmz", "r2:eth0", ip));
        frames.add(2, new CapturedFrame(10, 6, "core", "r3:eth0", ip));
        assertThat(PcapngWriter.write(frames, EPOCH, file, CaptureView.CONVERSATIONS)).isEqualTo(4);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains(CaptureView.CONVERSATIONS.comment());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int interfaces = 0;
        for (int at = 0; at < bytes.length; at += b.getInt(at + 4)) {
            interfaces += b.getInt(at) == 1 ? 1 : 0;
        }
        assertThat(interfaces).isEqualTo(4);
        List<Map<String, String>> rows = Tshark.fields(file, false, null, "frame.interface_id", "frame.interface_name");
        assertThat(rows).extracting(r -> r.get("frame.interface_name")).containsExactly("lan", "dmz", "wan", "lan");
        assertThat(rows).extracting(r -> r.get("frame.interface_id")).containsExactly("0", "1", "3", "0");
    }

    @Test
    void largeFramesAndLongPortNamesGrowTheBlockBuffer() throws IOException {
        byte[] big = new byte[9000];
        big[12] = 0x08;
        String port = "p".repeat(5000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapngWriter w = new PcapngWriter(out, EPOCH)) {
            w.write(5, "lan", port, big);
        }
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int shbLen = b.getInt(4);
        int idbLen = b.getInt(shbLen + 4);
        int epb = shbLen + idbLen;
        assertThat(b.getInt(epb)).isEqualTo(6);
        assertThat(b.getInt(epb + 20)).isEqualTo(9000);
        assertThat(b.limit()).isEqualTo(epb + b.getInt(epb + 4));
    }

    @Test
    void streamsFramesFromALiveSink() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
        try (PcapngWriter w = new PcapngWriter(out, EPOCH)) {
            TraceSink sink = w.asTraceSink(errors);
            sink.frame(1, "lan", "a", arpRequest(1));
            sink.event(1, "n", "arp", "x");
            assertThat(w.frameCount()).isEqualTo(1);
        }
        assertThat(errors.get()).isZero();
        assertThat(out.toByteArray()).isEqualTo(bytes(List.of(new CapturedFrame(0, 1, "lan", "a", arpRequest(1)))));
    }

    // --- frames of every small size, jumbo and near-64K frames, several ports and segments ---

    private static final String[] PORTS = {"pc1:eth0", "r1:eth1", "sw:p3", "a", "ab", "abc", "abcd", "r\u00fcter:eth0"};
    private static final String[] SEGMENTS = {"lan", "wan", "dmz"};

    /** A frame of {@code size} bytes: broadcast, a local MAC, EtherType 0x88B5 (local experimental), random payload. */
    private static byte[] frame(int size, Random rnd) {
        byte[] f = new byte[size];
        rnd.nextBytes(f);
        byte[] header = {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 1, (byte) 0x88, (byte) 0xB5};
        System.arraycopy(header, 0, f, 0, Math.min(size, header.length));
        return f;
    }

    /** Sizes 0..70, then 9014 and 65000 bytes, spread over ports and segments (the same port on two segments too). */
    private static List<CapturedFrame> frameOfEverySize() {
        Random rnd = new Random(2024);
        List<CapturedFrame> l = new ArrayList<>();
        int[] sizes = new int[71 + 4];
        for (int i = 0; i <= 70; i++) {
            sizes[i] = i;
        }
        sizes[71] = 9014;
        sizes[72] = 65000;
        sizes[73] = 1514;
        sizes[74] = 9014;
        for (int i = 0; i < sizes.length; i++) {
            String port = PORTS[i % PORTS.length];
            // new String: the writer must match ports and segments by value, not only by identity.
            String segment = i % 5 == 0 ? new String(SEGMENTS[i % 3]) : SEGMENTS[i % 3];
            l.add(new CapturedFrame(i, 1_000_003L * i * i, segment, i % 7 == 0 ? new String(port) : port,
                    frame(sizes[i], rnd)));
        }
        return l;
    }

    /**
     * The Enhanced Packet Block of draft-ietf-opsawg-pcapng section 4.3, spelled out field by field,
     * as the writer has always produced it: the frame padded to 32 bits, then one opt_comment
     * "ingress port" (UTF-8, at most 65535 bytes, padded), opt_endofopt, the trailing length.
     */
    private static byte[] referenceEpb(int ifId, long timeNanos, String port, byte[] frame) {
        byte[] comment = ("ingress " + port).getBytes(StandardCharsets.UTF_8);
        if (comment.length > 0xFFFF) {
            comment = java.util.Arrays.copyOf(comment, 0xFFFF);
        }
        int total = 28 + pad4(frame.length) + 4 + pad4(comment.length) + 4 + 4;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        long ts = EPOCH + timeNanos;
        b.putInt(6).putInt(total).putInt(ifId).putInt((int) (ts >>> 32)).putInt((int) ts);
        b.putInt(frame.length).putInt(frame.length).put(frame).position(28 + pad4(frame.length));
        b.putShort((short) 1).putShort((short) comment.length).put(comment);
        b.position(b.position() + pad4(comment.length) - comment.length);
        b.putInt(0).putInt(total);
        return b.array();
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    /** One block of a pcapng file: its type and its bytes, both length fields checked. */
    private record Block(int type, byte[] bytes) {
        String ifName() {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int p = 16;
            while (p < bytes.length - 4) {
                int code = b.getShort(p) & 0xFFFF;
                int len = b.getShort(p + 2) & 0xFFFF;
                if (code == 2) {
                    return new String(bytes, p + 4, len, StandardCharsets.UTF_8);
                }
                p += 4 + pad4(len);
            }
            return null;
        }
    }

    private static List<Block> blocks(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Block> out = new ArrayList<>();
        int p = 0;
        while (p < file.length) {
            int type = b.getInt(p);
            int len = b.getInt(p + 4);
            assertThat(len % 4).as("length of the block at %d", p).isZero();
            assertThat(p + len).as("block at %d ends inside the file", p).isLessThanOrEqualTo(file.length);
            assertThat(b.getInt(p + len - 4)).as("trailing length of the block at %d", p).isEqualTo(len);
            out.add(new Block(type, java.util.Arrays.copyOfRange(file, p, p + len)));
            p += len;
        }
        return out;
    }

    /** Every EPB of the file equals the reference encoding of its frame, in order, on the right interface. */
    private static void assertEpbsAsReference(byte[] file, List<CapturedFrame> frames) {
        List<Block> blocks = blocks(file);
        assertThat(blocks.get(0).type()).isEqualTo(0x0A0D0D0A);
        List<String> interfaces = new ArrayList<>();
        int next = 0;
        for (Block block : blocks.subList(1, blocks.size())) {
            if (block.type() == 1) {
                interfaces.add(block.ifName());
                continue;
            }
            assertThat(block.type()).isEqualTo(6);
            CapturedFrame f = frames.get(next++);
            int ifId = interfaces.indexOf(f.segment());
            assertThat(ifId).as("interface of frame %d declared before it", f.seq()).isNotNegative();
            assertThat(block.bytes()).as("EPB of frame %d (%d bytes, port %s)", f.seq(), f.bytes().length, f.ingressPort())
                    .isEqualTo(referenceEpb(ifId, f.timeNanos(), f.ingressPort(), f.bytes()));
        }
        assertThat(next).isEqualTo(frames.size());
    }

    @Test
    void framesOfEverySizeAreWrittenAsTheReferenceBlocks() throws IOException {
        List<CapturedFrame> frames = frameOfEverySize();
        byte[] file = bytes(frames);
        assertEpbsAsReference(file, frames);
        // Streaming through the sink gives the same bytes as writing the frames.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicLong errors = new AtomicLong();
        try (PcapngWriter w = new PcapngWriter(out, EPOCH)) {
            TraceSink sink = w.asTraceSink(errors);
            for (CapturedFrame f : frames) {
                sink.frame(f.timeNanos(), f.segment(), f.ingressPort(), f.bytes());
            }
            assertThat(w.frameCount()).isEqualTo(frames.size());
        }
        assertThat(errors.get()).isZero();
        assertThat(out.toByteArray()).isEqualTo(file);
    }

    @Test
    void aPortNameLongerThanAnOptionIsCutTo65535Bytes() throws IOException {
        // "ingress " + 70000 x "\u00e9" is 140008 bytes of UTF-8; the option keeps the first 65535.
        List<CapturedFrame> frames = List.of(new CapturedFrame(0, 1, "lan", "\u00e9".repeat(70_000), frame(60, new Random(1))),
                new CapturedFrame(1, 2, "lan", "x", frame(61, new Random(2))),
                new CapturedFrame(2, 3, "lan", "\u00e9".repeat(70_000), frame(62, new Random(3))));
        assertEpbsAsReference(bytes(frames), frames);
    }

    @Test
    void tsharkReadsFramesOfEverySize() throws IOException {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        List<CapturedFrame> frames = frameOfEverySize();
        Path file = CAPTURES.resolve("pcapng-writer-sizes.pcapng");
        PcapngWriter.write(frames, EPOCH, file);
        List<Map<String, String>> rows = Tshark.fields(file, false, null, "frame.len", "frame.cap_len",
                "frame.interface_name", "frame.comment", "frame.time_epoch");
        assertThat(rows).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            CapturedFrame f = frames.get(i);
            Map<String, String> r = rows.get(i);
            assertThat(r.get("frame.len")).as("frame %d", i).isEqualTo(String.valueOf(f.bytes().length));
            assertThat(r.get("frame.cap_len")).as("frame %d", i).isEqualTo(String.valueOf(f.bytes().length));
            assertThat(r.get("frame.interface_name")).as("frame %d", i).isEqualTo(f.segment());
            assertThat(r.get("frame.comment")).as("frame %d", i).isEqualTo("ingress " + f.ingressPort());
            assertThat(new BigDecimal(r.get("frame.time_epoch")))
                    .isEqualTo(new BigDecimal(EPOCH + f.timeNanos()).movePointLeft(9));
        }
        // Only frames too short for an Ethernet header may be malformed.
        List<Map<String, String>> problems = Tshark.fields(file, false, Tshark.PROBLEM_FILTER, "frame.len");
        assertThat(problems).allSatisfy(r -> assertThat(Integer.parseInt(r.get("frame.len"))).isLessThan(14));
    }

    @Test
    void framesFromSeveralThreadsStayWholeBlocks() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int threads = 4;
        int perThread = 2000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        try (PcapngWriter w = new PcapngWriter(out, EPOCH)) {
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(id);
                    try {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            int size = i % 50 == 0 ? 9014 : rnd.nextInt(1515);
                            w.write(i, SEGMENTS[(id + i) % 3], PORTS[(id * 3 + i) % PORTS.length], frame(size, rnd));
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                workers.add(th);
                th.start();
            }
            start.countDown();
            for (Thread th : workers) {
                th.join();
            }
            assertThat(w.frameCount()).isEqualTo((long) threads * perThread);
        }
        List<Block> blocks = blocks(out.toByteArray());
        assertThat(blocks).filteredOn(b -> b.type() == 6).hasSize(threads * perThread);
        assertThat(blocks).filteredOn(b -> b.type() == 1).hasSize(3);
        for (Block b : blocks) {
            if (b.type() == 6) {
                ByteBuffer bb = ByteBuffer.wrap(b.bytes()).order(ByteOrder.LITTLE_ENDIAN);
                int captured = bb.getInt(20);
                int commentLen = bb.getShort(28 + pad4(captured) + 2) & 0xFFFF;
                String comment = new String(b.bytes(), 28 + pad4(captured) + 4, commentLen, StandardCharsets.UTF_8);
                assertThat(comment).startsWith("ingress ");
                assertThat(List.of(PORTS)).contains(comment.substring("ingress ".length()));
            }
        }
    }
}
