package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

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

    @Property(tries = 2000)
    void randomBytesAtAnyRangeOnlyRaiseWireFormatException(
            @ForAll @Size(max = 120) byte[] bytes, @ForAll @IntRange(min = -3, max = 130) int off,
            @ForAll @IntRange(min = -3, max = 130) int len) {
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

    @Property(tries = 2000)
    void mutatedCapturedFramesOnlyRaiseWireFormatException(@ForAll("mutatedFrames") byte[] frame) {
        decodeLikeANode(frame, 0);
        assertThat(FrameSummary.describe(frame)).isNotBlank();
    }

    @Property(tries = 2000)
    void mutatedFramesWithRepairedChecksumsOnlyRaiseWireFormatException(@ForAll("mutatedFrames") byte[] frame) {
        repairChecksums(frame);
        Statistics.collect(decodeLikeANode(frame, 0));
        assertThat(FrameSummary.describe(frame)).isNotBlank();
        // The repaired mutants must reach the code behind the checksums, or this property proves little.
        Statistics.coverage(c -> {
            c.check("icmp").percentage(p -> p > 10);
            c.check("udp").percentage(p -> p > 1);
            c.check("vxlan").percentage(p -> p > 1);
            c.check("arp").percentage(p -> p > 1);
        });
    }

    @Property(tries = 500)
    void aSingleFlippedBitInAnIpv4HeaderIsAlwaysCaught(@ForAll("capturedIpv4") byte[] ip,
            @ForAll @IntRange(min = 0, max = 59 * 8 + 7) int bit) {
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

    @Property(tries = 500)
    void aSingleFlippedBitInAnIcmpMessageIsAlwaysCaught(@ForAll("capturedIcmp") byte[] icmp, @ForAll int bit) {
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

    @Provide
    Arbitrary<byte[]> capturedIpv4() {
        return Arbitraries.of(SEEDS).filter(f -> f.length > 34 && f[12] == 0x08 && f[13] == 0x00)
                .map(f -> Arrays.copyOfRange(f, 14, f.length));
    }

    @Provide
    Arbitrary<byte[]> capturedIcmp() {
        return capturedIpv4().filter(ip -> ip[9] == 1 && (ip[6] & 0x3F) == 0 && ip[7] == 0 && (ip[6] & 0x20) == 0)
                .map(ip -> Ipv4Packet.parse(ip, 0, ip.length).payload());
    }

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

    @Provide
    Arbitrary<byte[]> mutatedFrames() {
        // Mutations favour the headers, where most of the decoding decisions are.
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 3).withDistribution(net.jqwik.api.RandomDistribution.uniform()),
                Arbitraries.oneOf(Arbitraries.integers().between(0, 70), Arbitraries.integers().between(0, 1500)),
                Arbitraries.bytes()).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(SEEDS), mutation.list().ofMinSize(1).ofMaxSize(4))
                .as((seed, mutations) -> {
                    byte[] f = seed.clone();
                    for (Mutation m : mutations) {
                        f = m.apply(f);
                    }
                    return f;
                });
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
