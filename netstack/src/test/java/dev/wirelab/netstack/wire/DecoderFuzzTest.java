package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.testing.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad bytes never escape a decoder as anything but {@link WireFormatException}, and {@link FrameSummary}
 * never throws at all: random bytes at random ranges, and captured Linux frames with random mutations
 * (bit flips, overwritten bytes, cuts, junk appended), optionally with their checksums repaired so that the
 * mutation reaches the code behind each checksum check.
 */
class DecoderFuzzTest {

    private static final List<byte[]> SEEDS = seeds();

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>(CapturedFrames.ALL.values());
        seeds.add(CapturedFrames.hex(CapturedFrames.VLAN_ARP_REQUEST));
        seeds.add(CapturedFrames.hex(CapturedFrames.VLAN_ECHO_REQUEST));
        return List.copyOf(seeds);
    }

    static LongStream seeds500() {
        return Gen.seeds(500);
    }

    static LongStream seeds2000() {
        return Gen.seeds(2000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void randomBytesAtAnyRangeOnlyRaiseWireFormatException(long seed) {
        Random rnd = Gen.random(seed);
        checkRandomBytes(Gen.bytes(rnd, 120), Gen.between(rnd, -3, 130), Gen.between(rnd, -3, 130));
    }

    /** Every combination of edge sizes (0, 1, 120), offsets and lengths (-3, -2, -1, 0, 1, 129, 130), zeros and ones. */
    static Stream<Arguments> randomBytesEdgeCases() {
        int[] ends = Gen.edgeCases(-3, 130);
        return IntStream.of(0, 1, 120).boxed().flatMap(size -> IntStream.of(0x00, 0xFF).boxed().flatMap(fill ->
                IntStream.of(ends).boxed().flatMap(off -> IntStream.of(ends).mapToObj(len ->
                        Arguments.of(size, fill, off, len)))));
    }

    @ParameterizedTest(name = "{0} bytes of {1}, off {2}, len {3}")
    @MethodSource("randomBytesEdgeCases")
    void edgeCaseBytesAtAnyRangeOnlyRaiseWireFormatException(int size, int fill, int off, int len) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        checkRandomBytes(bytes, off, len);
    }

    private static void checkRandomBytes(byte[] bytes, int off, int len) {
        Ipv4Address a = Ipv4Address.parse("10.0.0.1");
        List<Runnable> decoders = List.of(
                () -> EthernetFrame.parse(bytes),
                () -> EthernetFrame.parse(bytes, off, len),
                () -> ArpPacket.parse(bytes, off, len),
                () -> Ipv4Packet.parse(bytes, off, len),
                () -> Ipv4Packet.parseQuoted(bytes, off, len),
                () -> IcmpMessage.parse(bytes, off, len),
                () -> IcmpMessage.quote(bytes),
                () -> IcmpMessage.quote(bytes, len),
                () -> UdpDatagram.parse(bytes, off, len, a, a),
                () -> Vxlan.readVni(bytes, off, len),
                () -> Vxlan.decapsulate(bytes, off, len));
        for (Runnable decoder : decoders) {
            onlyWireFormatException(decoder);
        }
        assertThat(FrameSummary.describe(bytes)).isNotBlank();
        assertThat(FrameSummary.describeIpv4(bytes)).isNotBlank();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void mutatedCapturedFramesOnlyRaiseWireFormatException(long seed) {
        byte[] frame = mutatedFrame(Gen.random(seed));
        decodeLikeANode(frame, 0);
        assertThat(FrameSummary.describe(frame)).isNotBlank();
    }

    /** Each captured frame as is, and cut to nothing. */
    @Test
    void capturedFramesOnlyRaiseWireFormatException() {
        for (byte[] seed : SEEDS) {
            decodeLikeANode(seed.clone(), 0);
            assertThat(FrameSummary.describe(seed)).isNotBlank();
        }
        decodeLikeANode(new byte[0], 0);
        assertThat(FrameSummary.describe(new byte[0])).isNotBlank();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void mutatedFramesWithRepairedChecksumsOnlyRaiseWireFormatException(long seed) {
        byte[] frame = mutatedFrame(Gen.random(seed));
        repairChecksums(frame);
        decodeLikeANode(frame, 0);
        assertThat(FrameSummary.describe(frame)).isNotBlank();
    }

    /**
     * The repaired mutants of {@link #mutatedFramesWithRepairedChecksumsOnlyRaiseWireFormatException}
     * must reach the code behind the checksums, or that property proves little: the deepest layer
     * that accepts each of them, counted over the same seeds.
     */
    @Test
    void repairedMutantsReachTheCodeBehindTheChecksums() {
        Map<String, Integer> deepest = new TreeMap<>();
        int tries = (int) seeds2000().count();
        seeds2000().forEach(seed -> {
            byte[] frame = mutatedFrame(Gen.random(seed));
            repairChecksums(frame);
            deepest.merge(decodeLikeANode(frame, 0), 1, Integer::sum);
        });
        assertThat(100.0 * deepest.getOrDefault("icmp", 0) / tries).as("%% icmp of %s", deepest).isGreaterThan(10);
        assertThat(100.0 * deepest.getOrDefault("udp", 0) / tries).as("%% udp of %s", deepest).isGreaterThan(1);
        assertThat(100.0 * deepest.getOrDefault("vxlan", 0) / tries).as("%% vxlan of %s", deepest).isGreaterThan(1);
        assertThat(100.0 * deepest.getOrDefault("arp", 0) / tries).as("%% arp of %s", deepest).isGreaterThan(1);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds500")
    void aSingleFlippedBitInAnIpv4HeaderIsAlwaysCaught(long seed) {
        Random rnd = Gen.random(seed);
        checkIpv4BitFlip(Gen.oneOf(rnd, CAPTURED_IPV4).clone(), Gen.between(rnd, 0, 59 * 8 + 7));
    }

    /** Each captured datagram with the first and last bit of each of its header's bytes flipped, and the highest bit number. */
    @Test
    void aSingleFlippedBitAtTheEdgesOfAnIpv4HeaderIsAlwaysCaught() {
        for (byte[] ip : CAPTURED_IPV4) {
            int headerLength = (ip[0] & 0x0F) * 4;
            for (int b = 0; b < headerLength; b++) {
                checkIpv4BitFlip(ip.clone(), b * 8);
                checkIpv4BitFlip(ip.clone(), b * 8 + 7);
            }
            checkIpv4BitFlip(ip.clone(), 59 * 8 + 7);
        }
    }

    private static void checkIpv4BitFlip(byte[] ip, int bit) {
        int headerLength = (ip[0] & 0x0F) * 4;
        int b = bit / 8 % headerLength;
        // Flipping IHL moves the end of the checksummed range; everything else must fail the checks.
        int mask = 1 << (bit % 8);
        if (b == 0 && mask < 0x10) {
            mask <<= 4;
        }
        ip[b] ^= (byte) mask;
        assertThatThrownBy(() -> Ipv4Packet.parse(ip, 0, ip.length)).isInstanceOf(WireFormatException.class);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds500")
    void aSingleFlippedBitInAnIcmpMessageIsAlwaysCaught(long seed) {
        Random rnd = Gen.random(seed);
        checkIcmpBitFlip(Gen.oneOf(rnd, CAPTURED_ICMP).clone(), Gen.anyInt(rnd));
    }

    /** Each captured message with its first and last bits flipped, and the bit numbers at the ends of int. */
    @Test
    void aSingleFlippedBitAtTheEdgesOfAnIcmpMessageIsAlwaysCaught() {
        for (byte[] icmp : CAPTURED_ICMP) {
            for (int bit : new int[] {0, 7, icmp.length * 8 - 1, icmp.length * 8, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                checkIcmpBitFlip(icmp.clone(), bit);
            }
        }
    }

    private static void checkIcmpBitFlip(byte[] icmp, int bit) {
        int b = Math.floorMod(bit, icmp.length * 8);
        icmp[b / 8] ^= (byte) (1 << (b % 8));
        assertThatThrownBy(() -> IcmpMessage.parse(icmp, 0, icmp.length)).isInstanceOf(WireFormatException.class);
    }

    private static void onlyWireFormatException(Runnable decoder) {
        try {
            decoder.run();
        } catch (WireFormatException expected) {
            assertThat(expected.getMessage()).startsWith(expected.protocol() + ": ");
        }
    }

    /**
     * What a node or the bus does with a frame: decode every layer it can, refusing only with
     * WireFormatException. Returns the deepest layer that accepted the bytes.
     */
    private static String decodeLikeANode(byte[] bytes, int depth) {
        EthernetFrame frame;
        try {
            frame = EthernetFrame.parse(bytes);
        } catch (WireFormatException e) {
            return "nothing";
        }
        byte[] p = frame.payload();
        onlyWireFormatException(() -> ArpPacket.parse(p, 0, p.length));
        onlyWireFormatException(() -> Ipv4Packet.parseQuoted(p, 0, p.length));
        onlyWireFormatException(() -> IcmpMessage.quote(p));
        if (frame.etherType() == EthernetFrame.ETHERTYPE_ARP) {
            return accepts(() -> ArpPacket.parse(p, 0, p.length)) ? "arp" : "ethernet";
        }
        Ipv4Packet ip;
        try {
            ip = Ipv4Packet.parse(p, 0, p.length);
        } catch (WireFormatException e) {
            return "ethernet";
        }
        byte[] d = ip.payload();
        boolean icmp = accepts(() -> {
            IcmpMessage m = IcmpMessage.parse(d, 0, d.length);
            if (m.isError()) {
                m.quotedPacket();
            }
        });
        String[] udpLayer = {"ipv4"};
        boolean udp = accepts(() -> {
            UdpDatagram datagram = UdpDatagram.parse(d, 0, d.length, ip.source(), ip.destination());
            udpLayer[0] = "udp";
            byte[] u = datagram.payload();
            Vxlan.readVni(u, 0, u.length);
            udpLayer[0] = "vxlan";
            if (depth < 3) {
                decodeLikeANode(Vxlan.decapsulate(u, 0, u.length), depth + 1);
            }
        });
        return icmp && !ip.isFragment() ? "icmp" : udp || !udpLayer[0].equals("ipv4") ? udpLayer[0] : "ipv4";
    }

    /** Runs a decoder: true if it accepted the bytes, false if it refused them with WireFormatException. */
    private static boolean accepts(Runnable decoder) {
        try {
            decoder.run();
            return true;
        } catch (WireFormatException refused) {
            assertThat(refused.getMessage()).startsWith(refused.protocol() + ": ");
            return false;
        }
    }

    /** The IPv4 datagrams of the captured frames (untagged). */
    private static final List<byte[]> CAPTURED_IPV4 = SEEDS.stream()
            .filter(f -> f.length > 34 && f[12] == 0x08 && f[13] == 0x00)
            .map(f -> Arrays.copyOfRange(f, 14, f.length)).toList();

    /** The ICMP messages of the captured datagrams that are not fragments. */
    private static final List<byte[]> CAPTURED_ICMP = CAPTURED_IPV4.stream()
            .filter(ip -> ip[9] == 1 && (ip[6] & 0x3F) == 0 && ip[7] == 0 && (ip[6] & 0x20) == 0)
            .map(ip -> Ipv4Packet.parse(ip, 0, ip.length).payload()).toList();

    /** A mutation: kind 0 flips a bit, 1 overwrites a byte, 2 cuts the frame, 3 appends junk. */
    private record Mutation(int kind, int position, byte value) {
        byte[] apply(byte[] f) {
            if (f.length == 0) {
                return f;
            }
            int at = Math.floorMod(position, f.length);
            switch (kind) {
                case 0 -> f[at] ^= (byte) (1 << Math.floorMod(value, 8));
                case 1 -> f[at] = value;
                case 2 -> {
                    return Arrays.copyOf(f, at);
                }
                default -> {
                    byte[] longer = Arrays.copyOf(f, f.length + 1 + Math.floorMod(value, 40));
                    Arrays.fill(longer, f.length, longer.length, value);
                    return longer;
                }
            }
            return f;
        }
    }

    /** A captured frame with 1 to 4 mutations, which favour the headers, where most of the decoding decisions are. */
    static byte[] mutatedFrame(Random rnd) {
        byte[] f = Gen.oneOf(rnd, SEEDS).clone();
        int n = Gen.size(rnd, 1, 4);
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(4); // uniformly
            int position = rnd.nextBoolean() ? Gen.between(rnd, 0, 70) : Gen.between(rnd, 0, 1500);
            f = new Mutation(kind, position, Gen.anyByte(rnd)).apply(f);
        }
        return f;
    }

    /**
     * Recomputes the IPv4 header checksum and the ICMP or UDP checksum of a (mutated) frame where the fields
     * that locate them are in range, so the decoders get past their checksum checks.
     */
    static void repairChecksums(byte[] f) {
        int ipOff = 14;
        if (f.length >= 18 && (f[12] & 0xFF) == 0x81 && f[13] == 0) {
            ipOff = 18;
        }
        if (f.length < ipOff + 20 || f[ipOff - 2] != 0x08 || f[ipOff - 1] != 0x00) {
            return;
        }
        int hl = (f[ipOff] & 0x0F) * 4;
        if (hl < 20 || ipOff + hl > f.length) {
            return;
        }
        f[ipOff + 10] = 0;
        f[ipOff + 11] = 0;
        Bytes.writeU16(f, ipOff + 10, InternetChecksum.compute(f, ipOff, hl));
        int total = Bytes.readU16(f, ipOff + 2);
        if (total < hl || ipOff + total > f.length || (Bytes.readU16(f, ipOff + 6) & 0x3FFF) != 0) {
            return;
        }
        int l4 = ipOff + hl;
        int l4Length = total - hl;
        if (f[ipOff + 9] == 1 && l4Length >= 8) {
            f[l4 + 2] = 0;
            f[l4 + 3] = 0;
            Bytes.writeU16(f, l4 + 2, InternetChecksum.compute(f, l4, l4Length));
        } else if (f[ipOff + 9] == 17 && l4Length >= 8) {
            int udpLength = Bytes.readU16(f, l4 + 4);
            if (udpLength < 8 || udpLength > l4Length) {
                return;
            }
            f[l4 + 6] = 0;
            f[l4 + 7] = 0;
            long sum = InternetChecksum.pseudoHeader(Ipv4Address.read(f, ipOff + 12), Ipv4Address.read(f, ipOff + 16),
                    17, udpLength);
            int c = InternetChecksum.finish(InternetChecksum.add(sum, f, l4, udpLength));
            Bytes.writeU16(f, l4 + 6, c == 0 ? 0xFFFF : c);
        }
    }
}
