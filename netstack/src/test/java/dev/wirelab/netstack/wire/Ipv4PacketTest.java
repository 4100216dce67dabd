package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static dev.wirelab.netstack.wire.CapturedFrames.ipOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {

    private static final Ipv4Address A = Ipv4Address.parse("10.0.1.2");
    private static final Ipv4Address R = Ipv4Address.parse("10.0.1.1");
    private static final Ipv4Address C = Ipv4Address.parse("10.0.2.2");

    private static Ipv4Packet parse(byte[] b) {
        return Ipv4Packet.parse(b, 0, b.length);
    }

    /** Rewrites the header checksum of a datagram edited by a test, so only the intended fault remains. */
    private static byte[] fixChecksum(byte[] ip) {
        ip[10] = 0;
        ip[11] = 0;
        int ihl = (ip[0] & 0x0F) * 4;
        int c = InternetChecksum.compute(ip, 0, ihl);
        ip[10] = (byte) (c >>> 8);
        ip[11] = (byte) c;
        return ip;
    }

    @Test
    void deconstructsTheCapturedEchoRequest() {
        Ipv4Packet ip = parse(ipOf("a#3"));
        assertThat(ip.tos()).isZero();
        assertThat(ip.totalLength()).isEqualTo(44);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.identification()).isEqualTo(0xe30a);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_ICMP);
        assertThat(ip.source()).isEqualTo(A);
        assertThat(ip.destination()).isEqualTo(R);
        assertThat(ip.options()).isEmpty();
        assertThat(ip.payload()).isEqualTo(hex("08001c94196e0001d42a026b00000000df660c0000000000"));
    }

    @Test
    void constructsTheCapturedEchoRequestAndReply() {
        byte[] icmp = hex("08001c94196e0001d42a026b00000000df660c0000000000");
        Ipv4Packet request = new Ipv4Packet(0, 0xe30a, true, false, 0, 64, Ipv4Packet.PROTOCOL_ICMP, A, R, new byte[0], icmp);
        assertThat(request.encode()).isEqualTo(ipOf("a#3"));
        // The reply from the Linux router has DF clear and TOS 0; Ipv4Packet.of builds exactly that.
        byte[] replyIcmp = Arrays.copyOfRange(ipOf("a#4"), 20, 44);
        assertThat(Ipv4Packet.of(0x3617, 64, Ipv4Packet.PROTOCOL_ICMP, R, A, replyIcmp).encode()).isEqualTo(ipOf("a#4"));
    }

    @Test
    void ignoresEthernetPaddingAfterTheTotalLength() {
        byte[] frame = hex(CapturedFrames.UDP_ODD); // 45 bytes; on the wire padded to 60
        byte[] padded = Arrays.copyOf(frame, 60);
        Arrays.fill(padded, 45, 60, (byte) 0x77);
        EthernetFrame f = EthernetFrame.parse(padded);
        Ipv4Packet ip = Ipv4Packet.parse(f.payload(), 0, f.payload().length);
        assertThat(ip.totalLength()).isEqualTo(31);
        assertThat(ip.payload()).isEqualTo(hex("9c420007000b7a27" + "6f6464"));
    }

    @Test
    void keepsOptionsAsRawBytes() {
        Ipv4Packet ip = parse(ipOf("a#15")); // ping -R: NOP + Record Route, IHL 15
        assertThat(ip.headerLength()).isEqualTo(60);
        assertThat(ip.options()).hasSize(40);
        assertThat(Arrays.copyOf(ip.options(), 8)).isEqualTo(hex("010727080a000102"));
        assertThat(ip.payload()).hasSize(24);
        assertThat(ip.encode()).isEqualTo(ipOf("a#15"));
        // Record Route (type 7) has the copied flag clear: it is not repeated in later fragments.
        assertThat(ip.copiedOptions()).isEmpty();
    }

    @Test
    void copiedOptionsKeepOnlyOptionsWithTheCopiedFlag() {
        // Loose Source Route (type 131, copied) + NOP + Record Route (type 7, not copied) + End of Option List.
        byte[] options = hex("8307040a000001" + "01" + "07070400000000" + "00");
        Ipv4Packet ip = Ipv4Packet.of(1, 64, 17, A, C, new byte[8]).withOptions(options);
        assertThat(ip.copiedOptions()).isEqualTo(hex("8307040a000001" + "00"));
        assertThat(parse(ip.encode()).options()).isEqualTo(options);
        // A malformed option length ends the walk instead of throwing.
        assertThat(ip.withOptions(hex("83ff0000")).copiedOptions()).isEmpty();
        assertThat(ip.withOptions(hex("01010183")).copiedOptions()).isEmpty();
    }

    @Test
    void deconstructsRouterMadeFragments() {
        // R fragments A's 1428-byte echo request (IP id 0xe3cf, DF clear) for the 576-byte MTU towards C.
        Ipv4Packet first = parse(ipOf("c#3"));
        Ipv4Packet middle = parse(ipOf("c#4"));
        Ipv4Packet last = parse(ipOf("c#5"));
        assertThat(first.moreFragments()).isTrue();
        assertThat(first.fragmentOffset()).isZero();
        assertThat(first.isFragment()).isTrue();
        assertThat(middle.moreFragments()).isTrue();
        assertThat(middle.fragmentOffset()).isEqualTo(552);
        assertThat(last.moreFragments()).isFalse();
        assertThat(last.fragmentOffset()).isEqualTo(1104);
        assertThat(last.isFragment()).isTrue();
        assertThat(first.payload()).hasSize(552);
        assertThat(last.payload()).hasSize(1408 - 1104);
        assertThat(first.identification()).isEqualTo(0xe3cf).isEqualTo(last.identification());
        assertThat(first.ttl()).isEqualTo(63);
    }

    @Test
    void constructsTheSameFragmentsAsTheLinuxRouter() {
        Ipv4Packet original = parse(ipOf("a#7"));
        assertThat(original.totalLength()).isEqualTo(1428);
        Ipv4Packet forwarded = original.withTtl(original.ttl() - 1);
        byte[] data = original.payload();
        byte[] none = forwarded.copiedOptions();
        assertThat(forwarded.fragment(none, true, 0, Arrays.copyOfRange(data, 0, 552)).encode()).isEqualTo(ipOf("c#3"));
        assertThat(forwarded.fragment(none, true, 552, Arrays.copyOfRange(data, 552, 1104)).encode()).isEqualTo(ipOf("c#4"));
        assertThat(forwarded.fragment(none, false, 1104, Arrays.copyOfRange(data, 1104, 1408)).encode()).isEqualTo(ipOf("c#5"));
    }

    @Test
    void withTtlRecomputesTheChecksumAsTheKernelDid() {
        // C quoted A's UDP datagram as it arrived, after R decremented the TTL: same bytes but ttl and checksum.
        Ipv4Packet sent = parse(ipOf("a#17"));
        byte[] icmp = parse(ipOf("a#18")).payload();
        byte[] quoted = Arrays.copyOfRange(icmp, 8, icmp.length);
        assertThat(sent.withTtl(63).encode()).isEqualTo(quoted);
    }

    @Test
    void parsesAtAnOffsetInsideJunkAndWritesTheHeaderInPlace() {
        byte[] ip = ipOf("a#17");
        byte[] buffer = new byte[ip.length + 50];
        Arrays.fill(buffer, (byte) 0xC3);
        System.arraycopy(ip, 0, buffer, 21, ip.length);
        // The length passed includes trailing junk, as padding would: the total length decides.
        Ipv4Packet parsed = Ipv4Packet.parse(buffer, 21, ip.length + 20);
        assertThat(parsed).isEqualTo(parse(ip));

        byte[] out = new byte[60];
        Arrays.fill(out, (byte) 0xC3);
        parsed.writeHeader(out, 9);
        assertThat(Arrays.copyOfRange(out, 9, 29)).isEqualTo(Arrays.copyOf(ip, 20));
        assertThat(out[8]).isEqualTo((byte) 0xC3);
        assertThat(out[29]).isEqualTo((byte) 0xC3);
    }

    @Test
    void rejectsABadHeaderChecksumNamingBothValues() {
        byte[] ip = ipOf("a#3");
        ip[11] ^= 1;
        assertThatThrownBy(() -> parse(ip)).isInstanceOf(WireFormatException.class)
                .hasMessage("ipv4: bad header checksum 0x41c5 (expected 0x41c4)");
        byte[] ttlChanged = ipOf("a#3");
        ttlChanged[8] = 63; // a router that forgot to update the checksum
        assertThatThrownBy(() -> parse(ttlChanged)).hasMessageContaining("bad header checksum 0x41c4");
    }

    @Test
    void acceptsAllOnesForAComputedZeroChecksum() {
        // RFC 1071: +0 and -0 are the same in one's complement, so 0xffff verifies where 0x0000 was computed.
        Ipv4Packet zero = null;
        for (int id = 0; id <= 0xFFFF && zero == null; id++) {
            Ipv4Packet p = Ipv4Packet.of(id, 64, Ipv4Packet.PROTOCOL_UDP, A, C, new byte[0]);
            byte[] b = p.encode();
            if (b[10] == 0 && b[11] == 0) {
                zero = p;
            }
        }
        assertThat(zero).isNotNull();
        byte[] allOnes = zero.encode();
        allOnes[10] = (byte) 0xFF;
        allOnes[11] = (byte) 0xFF;
        assertThat(parse(allOnes)).isEqualTo(zero);
    }

    @Test
    void rejectsTheReservedFlagBit() {
        byte[] ip = ipOf("a#3");
        ip[6] |= (byte) 0x80;
        assertThatThrownBy(() -> parse(fixChecksum(ip))).isInstanceOf(WireFormatException.class)
                .hasMessage("ipv4: reserved flag bit set (RFC 791 section 3.1: \"Bit 0: reserved, must be zero\")");
    }

    @Test
    void rejectsTruncatedDatagrams() {
        byte[] ip = ipOf("a#3");
        for (int len = 0; len < 20; len++) {
            int n = len;
            assertThatThrownBy(() -> Ipv4Packet.parse(ip, 0, n)).isInstanceOf(WireFormatException.class)
                    .hasMessage("ipv4: datagram of " + n + " bytes is shorter than the 20-byte minimum header");
        }
        for (int len = 20; len < 44; len++) {
            int n = len;
            assertThatThrownBy(() -> Ipv4Packet.parse(ip, 0, n)).isInstanceOf(WireFormatException.class)
                    .hasMessage("ipv4: total length 44 exceeds the " + n + " bytes received");
        }
        byte[] withOptions = ipOf("a#15");
        assertThatThrownBy(() -> Ipv4Packet.parse(withOptions, 0, 40))
                .hasMessage("ipv4: header of 60 bytes (IHL 15) exceeds the 40 bytes received");
    }

    @Test
    void rejectsBadLengthVersionAndIhlFields() {
        byte[] shortTotal = ipOf("a#3");
        shortTotal[2] = 0;
        shortTotal[3] = 16;
        assertThatThrownBy(() -> parse(fixChecksum(shortTotal)))
                .hasMessage("ipv4: total length 16 is shorter than the 20-byte header");
        byte[] v6 = ipOf("a#3");
        v6[0] = 0x65;
        assertThatThrownBy(() -> parse(v6)).hasMessage("ipv4: version 6 is not 4");
        byte[] ihl4 = ipOf("a#3");
        ihl4[0] = 0x44;
        assertThatThrownBy(() -> parse(ihl4)).hasMessage("ipv4: IHL 4 is below the minimum of 5");
        assertThatThrownBy(() -> Ipv4Packet.parse(ipOf("a#3"), 40, 20)).hasMessageContaining("outside a buffer");
        assertThatThrownBy(() -> Ipv4Packet.parse(null, 0, 0)).isInstanceOf(WireFormatException.class);
    }

    @Test
    void parseQuotedReadsTheHeaderInsideAnIcmpErrorWithoutCheckingIt() {
        byte[] icmp = parse(ipOf("a#6")).payload(); // Time Exceeded from R (Linux quotes the whole 44-byte datagram)
        Ipv4Packet quoted = Ipv4Packet.parseQuoted(icmp, 8, icmp.length - 8);
        assertThat(quoted.ttl()).isEqualTo(1);
        assertThat(quoted.identification()).isEqualTo(0xe3ce);
        assertThat(quoted.source()).isEqualTo(A);
        assertThat(quoted.destination()).isEqualTo(C);
        assertThat(quoted.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_ICMP);
        assertThat(quoted.payload()).isEqualTo(parse(ipOf("a#5")).payload());

        // An RFC 792 minimal quote (header + 8 bytes): the strict parser refuses it, the lenient one reads it.
        byte[] minimal = Arrays.copyOf(ipOf("a#5"), 28);
        assertThatThrownBy(() -> parse(minimal)).hasMessage("ipv4: total length 44 exceeds the 28 bytes received");
        Ipv4Packet cut = Ipv4Packet.parseQuoted(minimal, 0, minimal.length);
        assertThat(cut.payload()).isEqualTo(hex("08007a82196f0001"));
        assertThat(cut.identification()).isEqualTo(0xe3ce);

        // A rewritten quoted header with a stale checksum still reads.
        minimal[10] ^= 0x55;
        assertThat(Ipv4Packet.parseQuoted(minimal, 0, minimal.length).source()).isEqualTo(A);
        // It still needs a whole IPv4 header.
        assertThatThrownBy(() -> Ipv4Packet.parseQuoted(minimal, 0, 19)).isInstanceOf(WireFormatException.class);
        minimal[0] = 0x46;
        assertThatThrownBy(() -> Ipv4Packet.parseQuoted(minimal, 0, 20)).hasMessageContaining("header of 24 bytes");
        minimal[0] = 0x55;
        assertThatThrownBy(() -> Ipv4Packet.parseQuoted(minimal, 0, 28)).hasMessage("ipv4: version 5 is not 4");
    }

    @Test
    void parseQuotedCutsAtTheQuotedTotalLength() {
        byte[] ip = ipOf("a#21"); // 31-byte datagram
        byte[] withTrailer = Arrays.copyOf(ip, 40);
        assertThat(Ipv4Packet.parseQuoted(withTrailer, 0, 40).payload()).hasSize(11);
    }

    @Test
    void refusesFieldsThatDoNotFit() {
        byte[] none = new byte[0];
        assertThatThrownBy(() -> new Ipv4Packet(0, 0, false, false, 7, 64, 1, A, C, none, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> new Ipv4Packet(0, 0, false, false, 65536, 64, 1, A, C, none, none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ipv4Packet(0, 0, false, false, 0, 64, 1, A, C, new byte[3], none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new Ipv4Packet(0, 0, false, false, 0, 64, 1, A, C, new byte[44], none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Packet.of(0, 256, 1, A, C, none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Packet.of(0x10000, 64, 1, A, C, none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Packet.of(0, 64, 256, A, C, none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Packet.of(0, 64, 17, A, C, new byte[65516]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
        assertThat(Ipv4Packet.of(0, 64, 17, A, C, new byte[65515]).totalLength()).isEqualTo(65535);
    }

    @Test
    void largestFragmentOffsetRoundTrips() {
        Ipv4Packet p = new Ipv4Packet(0, 1, false, false, 8191 * 8, 64, 17, A, C, new byte[0], new byte[8]);
        assertThat(parse(p.encode()).fragmentOffset()).isEqualTo(65528);
    }

    @Test
    void conveniencesChangeOnlyTheirField() {
        Ipv4Packet ip = parse(ipOf("a#3"));
        assertThat(ip.withDontFragment(false).dontFragment()).isFalse();
        assertThat(ip.withDontFragment(false).withDontFragment(true)).isEqualTo(ip);
        assertThat(ip.withPayload(new byte[3]).totalLength()).isEqualTo(23);
        assertThat(ip.toString()).contains("10.0.1.2 > 10.0.1.1", "ttl 64", "DF", "0xe30a");
    }
}
