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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
}
