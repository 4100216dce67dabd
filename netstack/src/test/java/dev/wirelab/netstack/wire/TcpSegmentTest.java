package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.testing.Gen;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TcpSegment against a real Linux connection: frames captured with tshark on a veth between two
 * network namespaces (10.99.0.1 client, 10.99.0.2 server on port 8080; checksum offload off):
 * handshake with MSS/SACK-permitted/timestamps/window scale, a request, a response, a FIN from
 * each side. Each is parsed, checked field by field, and re-encoded to the same bytes.
 */
class TcpSegmentTest {

    static final Ipv4Address CLIENT = Ipv4Address.parse("10.99.0.1");
    static final Ipv4Address SERVER = Ipv4Address.parse("10.99.0.2");

    /** Ethernet frames 11-20 of the capture, in order. */
    static final List<String> LINUX = List.of(
            // 11: SYN, options mss 1460, sackOK, TS val 3720378446 ecr 0, nop, wscale 10
            "3a4a914656487e627e4577ef08004500003c4fab40004006d6480a6300010a6300028bf61f90b1480d0d00000000a002faf0"
                    + "78580000020405b40402080addc0784e000000000103030a",
            // 12: SYN,ACK
            "7e627e4577ef3a4a9146564808004500003c00004000400625f40a6300020a6300011f908bf64b0b11d5b1480d0ea012fe88"
                    + "770c0000020405b40402080a6733398fddc0784e0103030a",
            // 13: ACK
            "3a4a914656487e627e4577ef0800450000344fac40004006d64f0a6300010a6300028bf61f90b1480d0e4b0b11d68010003f"
                    + "a42500000101080addc0784e6733398f",
            // 14: "GET / HTTP/1.0\r\n\r\n" with PSH
            "3a4a914656487e627e4577ef0800450000464fad40004006d63c0a6300010a6300028bf61f90b1480d0e4b0b11d68018003f"
                    + "c56b00000101080addc0784e6733398f474554202f20485454502f312e300d0a0d0a",
            // 15: ACK of the request
            "7e627e4577ef3a4a914656480800450000342dab40004006f8500a6300020a6300011f908bf64b0b11d6b1480d2080100040"
                    + "a41200000101080a6733398fddc0784e",
            // 16: the response
            "7e627e4577ef3a4a9146564808004500004d2dac40004006f8360a6300020a6300011f908bf64b0b11d6b1480d2080180040"
                    + "fddb00000101080a6733398fddc0784e485454502f312e3020323030204f4b0d0a0d0a68656c6c6f0a",
            // 17: ACK
            "3a4a914656487e627e4577ef0800450000344fae40004006d64d0a6300010a6300028bf61f90b1480d204b0b11ef8010003f"
                    + "a3fa00000101080addc0784e6733398f",
            // 18: server FIN (shutdown(SHUT_WR))
            "7e627e4577ef3a4a914656480800450000342dad40004006f84e0a6300020a6300011f908bf64b0b11efb1480d2080110040"
                    + "a3f800000101080a6733398fddc0784e",
            // 19: client FIN,ACK
            "3a4a914656487e627e4577ef0800450000344faf40004006d64c0a6300010a6300028bf61f90b1480d204b0b11f08011003f"
                    + "a3f800000101080addc0784e6733398f",
            // 20: last ACK
            "7e627e4577ef3a4a914656480800450000342dae40004006f84d0a6300020a6300011f908bf64b0b11f0b1480d2180100040"
                    + "a3f700000101080a6733398fddc0784e");

    static byte[] tcpBytes(int index) {
        byte[] frame = CapturedFrames.hex(LINUX.get(index));
        EthernetFrame e = EthernetFrame.parse(frame);
        Ipv4Packet ip = Ipv4Packet.parse(e.payload(), 0, e.payload().length);
        return ip.payload();
    }

    static Ipv4Packet ip(int index) {
        byte[] frame = CapturedFrames.hex(LINUX.get(index));
        EthernetFrame e = EthernetFrame.parse(frame);
        return Ipv4Packet.parse(e.payload(), 0, e.payload().length);
    }

    static TcpSegment parse(int index) {
        Ipv4Packet p = ip(index);
        return TcpSegment.parse(p.payload(), 0, p.payload().length, p.source(), p.destination());
    }

    @Test
    void decodesTheLinuxSyn() {
        TcpSegment syn = parse(0);
        assertThat(syn.sourcePort()).isEqualTo(35830);
        assertThat(syn.destinationPort()).isEqualTo(8080);
        assertThat(syn.sequence()).isEqualTo(2974289165L);
        assertThat(syn.acknowledgment()).isZero();
        assertThat(syn.flags()).isEqualTo(TcpSegment.SYN);
        assertThat(syn.syn()).isTrue();
        assertThat(syn.ack()).isFalse();
        assertThat(syn.window()).isEqualTo(64240);
        assertThat(syn.headerLength()).isEqualTo(40);
        assertThat(syn.mss()).isEqualTo(1460);
        assertThat(syn.sackPermitted()).isTrue();
        assertThat(syn.timestamps()).isEqualTo(new TcpSegment.Timestamps(3720378446L, 0));
        assertThat(syn.windowScale()).isEqualTo(10);
        assertThat(syn.payload()).isEmpty();
        assertThat(syn.sequenceLength()).isEqualTo(1);
        assertThat(syn.optionList()).extracting(TcpSegment.Option::kind).containsExactly(
                TcpSegment.OPT_MSS, TcpSegment.OPT_SACK_PERMITTED, TcpSegment.OPT_TIMESTAMPS, TcpSegment.OPT_NOP,
                TcpSegment.OPT_WINDOW_SCALE);
    }

    @Test
    void decodesTheHandshakeAndData() {
        TcpSegment synAck = parse(1);
        assertThat(synAck.flags()).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
        assertThat(synAck.sequence()).isEqualTo(1259016661L);
        assertThat(synAck.acknowledgment()).isEqualTo(2974289166L);
        assertThat(synAck.timestamps()).isEqualTo(new TcpSegment.Timestamps(1731410319L, 3720378446L));
        TcpSegment ack = parse(2);
        assertThat(ack.flags()).isEqualTo(TcpSegment.ACK);
        assertThat(ack.window()).isEqualTo(63); // scaled by 2^10 = 64512 bytes
        assertThat(ack.mss()).isEqualTo(-1);
        assertThat(ack.windowScale()).isEqualTo(-1);
        assertThat(ack.sackPermitted()).isFalse();
        TcpSegment get = parse(3);
        assertThat(get.has(TcpSegment.PSH)).isTrue();
        assertThat(new String(get.payload(), StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.0\r\n\r\n");
        assertThat(get.sequenceLength()).isEqualTo(18);
        TcpSegment response = parse(5);
        assertThat(new String(response.payload(), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.0 200 OK\r\n\r\nhello\n");
        TcpSegment fin = parse(7);
        assertThat(fin.fin()).isTrue();
        assertThat(fin.sequenceLength()).isEqualTo(1);
        assertThat(parse(8).flags()).isEqualTo(TcpSegment.FIN | TcpSegment.ACK);
    }

    @Test
    void reencodesEveryCapturedSegmentToTheSameBytes() {
        for (int i = 0; i < LINUX.size(); i++) {
            Ipv4Packet p = ip(i);
            TcpSegment s = TcpSegment.parse(p.payload(), 0, p.payload().length, p.source(), p.destination());
            assertThat(s.encode(p.source(), p.destination())).as("frame %d", i + 11).isEqualTo(p.payload());
        }
    }

    @Test
    void buildsLinuxOptionsTheLinuxWay() {
        byte[] opts = new TcpSegment.Options().mss(1460).sackPermitted().timestamps(3720378446L, 0).nop()
                .windowScale(10).build();
        assertThat(opts).isEqualTo(parse(0).options());
        TcpSegment built = new TcpSegment(35830, 8080, 2974289165L, 0, TcpSegment.SYN, 64240, 0, opts, new byte[0]);
        assertThat(built.encode(CLIENT, SERVER)).isEqualTo(tcpBytes(0));
        assertThat(new TcpSegment.Options().mss(536).build()).hasSize(4);
        assertThat(new TcpSegment.Options().windowScale(7).build()).containsExactly(3, 3, 7, 1);
    }

    @Test
    void refusesABadChecksum() {
        byte[] b = tcpBytes(3);
        b[b.length - 1] ^= 1;
        assertThatThrownBy(() -> TcpSegment.parse(b, 0, b.length, CLIENT, SERVER))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("bad checksum");
        assertThat(TcpSegment.checksumValid(b, 0, b.length, CLIENT, SERVER)).isFalse();
        byte[] good = tcpBytes(3);
        // The pseudo-header is covered: the same bytes between other addresses are refused.
        assertThatThrownBy(() -> TcpSegment.parse(good, 0, good.length, Ipv4Address.parse("10.99.0.3"), SERVER))
                .isInstanceOf(WireFormatException.class);
    }

    @Test
    void refusesBadDataOffsetsAndTruncation() {
        byte[] b = tcpBytes(2);
        assertThatThrownBy(() -> TcpSegment.parseUnchecked(b, 0, 19)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("shorter than the 20-byte header");
        byte[] small = b.clone();
        small[12] = 0x40; // data offset 4
        assertThatThrownBy(() -> TcpSegment.parseUnchecked(small, 0, small.length))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("below the minimum of 5");
        byte[] big = b.clone();
        big[12] = (byte) 0xF0; // 60 bytes of header in a 32-byte segment
        assertThatThrownBy(() -> TcpSegment.parseUnchecked(big, 0, big.length))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> TcpSegment.parse(b, 10, b.length, CLIENT, SERVER))
                .isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> TcpSegment.parse(null, 0, 0, CLIENT, SERVER)).isInstanceOf(WireFormatException.class);
    }

    private static byte[] withOptions(byte[] options) {
        return new TcpSegment(1, 2, 3, 4, TcpSegment.ACK, 5, 0, options, new byte[] {9}).encode(CLIENT, SERVER);
    }

    @Test
    void refusesMalformedOptions() {
        // length 1 (< 2)
        assertThatThrownBy(() -> parseBytes(withOptions(new byte[] {8, 1, 0, 0})))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("length 1");
        // runs past the header
        assertThatThrownBy(() -> parseBytes(withOptions(new byte[] {1, 1, 30, 5})))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("runs past");
        // kind without a length octet
        assertThatThrownBy(() -> parseBytes(withOptions(new byte[] {1, 1, 1, 2})))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("no length");
        // MSS of length 3
        assertThatThrownBy(() -> parseBytes(withOptions(new byte[] {2, 3, 5, 1})))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("must be 4");
        // SACK with a half block
        assertThatThrownBy(() -> parseBytes(withOptions(new byte[] {5, 6, 0, 0, 0, 0, 1, 1})))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("2 + 8n");
    }

    @Test
    void keepsUnknownOptionsAndStopsAtEndOfList() {
        byte[] opts = new TcpSegment.Options().raw(253, new byte[] {1, 2}).mss(1400).build();
        TcpSegment s = parseBytes(withOptions(opts));
        assertThat(s.optionList()).contains(new TcpSegment.Option(253, new byte[] {1, 2}));
        assertThat(s.mss()).isEqualTo(1400);
        assertThat(s.toString()).contains("unknown-253 2", "mss 1400");
        // After End of Option List the rest is padding, even if it looks like garbage.
        TcpSegment eol = parseBytes(withOptions(new byte[] {2, 4, 5, (byte) 0xb4, 0, 99, 99, 99}));
        assertThat(eol.mss()).isEqualTo(1460);
        assertThat(eol.optionList()).extracting(TcpSegment.Option::kind).containsExactly(2, 0);
        assertThat(eol.encode(CLIENT, SERVER)).isEqualTo(withOptions(new byte[] {2, 4, 5, (byte) 0xb4, 0, 99, 99, 99}));
    }

    private static TcpSegment parseBytes(byte[] b) {
        return TcpSegment.parse(b, 0, b.length, CLIENT, SERVER);
    }

    @Test
    void describesLikeTcpdump() {
        assertThat(parse(0).describe()).isEqualTo("Flags [S], seq 2974289165, win 64240, options [mss 1460,sackOK,"
                + "TS val 3720378446 ecr 0,nop,wscale 10], length 0");
        assertThat(parse(3).describe()).isEqualTo("Flags [P.], seq 2974289166:2974289184, ack 1259016662, win 63,"
                + " options [nop,nop,TS val 3720378446 ecr 1731410319], length 18");
        assertThat(parse(8).describe()).startsWith("Flags [F.], seq 2974289184, ack 1259016688");
        assertThat(FrameSummary.describe(CapturedFrames.hex(LINUX.get(0)))).isEqualTo("10.99.0.1.35830 > 10.99.0.2.8080:"
                + " Flags [S], seq 2974289165, win 64240, options [mss 1460,sackOK,TS val 3720378446 ecr 0,nop,"
                + "wscale 10], length 0 ttl=64 DF");
        byte[] rst = TcpSegment.of(80, 1234, 0, 5, TcpSegment.RST | TcpSegment.ACK, 0, new byte[0]).encode(SERVER, CLIENT);
        assertThat(FrameSummary.describeIpv4(Ipv4Packet.of(1, 64, 6, SERVER, CLIENT, rst).encode()))
                .isEqualTo("10.99.0.2.80 > 10.99.0.1.1234: Flags [R.], seq 0, ack 5, win 0, length 0 ttl=64");
    }

    @Test
    void refusesValuesThatDoNotFit() {
        assertThatThrownBy(() -> new TcpSegment(70000, 1, 0, 0, 0, 0, 0, new byte[0], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpSegment(1, 1, 1L << 32, 0, 0, 0, 0, new byte[0], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpSegment(1, 1, 0, 0, 0, 0, 0, new byte[3], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpSegment(1, 1, 0, 0, 0, 0, 0, new byte[44], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TcpSegment.Options().timestamps(1, 2).timestamps(1, 2).timestamps(1, 2).timestamps(1, 2)
                .build()).hasSize(40);
        assertThatThrownBy(() -> new TcpSegment.Options().timestamps(1, 2).timestamps(1, 2).timestamps(1, 2)
                .timestamps(1, 2).nop()).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ properties

    private static final List<byte[]> OPTIONS = List.of(
            new byte[0],
            new TcpSegment.Options().mss(1460).build(),
            new TcpSegment.Options().nop().nop().timestamps(123, 456).build(),
            new TcpSegment.Options().mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7).build());

    static TcpSegment segment(Random rnd) {
        int sp = Gen.between(rnd, 0, 65535);
        int dp = Gen.between(rnd, 0, 65535);
        long seq = Gen.between(rnd, 0, 0xFFFFFFFFL);
        long ack = Gen.between(rnd, 0, 0xFFFFFFFFL);
        int flags = Gen.between(rnd, 0, 0xFF);
        int win = Gen.between(rnd, 0, 65535);
        byte[] o = Gen.oneOf(rnd, OPTIONS);
        byte[] p = Gen.bytes(rnd, 300);
        return new TcpSegment(sp, dp, seq, ack, flags, win, 0, o, p);
    }

    static LongStream seeds500() {
        return Gen.seeds(500);
    }

    static LongStream seeds2000() {
        return Gen.seeds(2000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds500")
    void roundTrips(long seed) {
        checkRoundTrip(segment(Gen.random(seed)));
    }

    /** The edge cases: every field at its ends, with each set of options, no payload and the longest. */
    @Test
    void edgeCasesRoundTrip() {
        byte[] full = new byte[300];
        Arrays.fill(full, (byte) 0xFF);
        for (int port : new int[] {0, 1, 65535}) {
            for (long seq : new long[] {0, 1, 0xFFFFFFFEL, 0xFFFFFFFFL}) {
                for (int flags : new int[] {0, 1, 0xFF}) {
                    for (byte[] o : OPTIONS) {
                        for (byte[] p : new byte[][] {new byte[0], new byte[1], full}) {
                            checkRoundTrip(new TcpSegment(port, 65535 - port, seq, 0xFFFFFFFFL - seq, flags, port, 0, o, p));
                        }
                    }
                }
            }
        }
    }

    private static void checkRoundTrip(TcpSegment s) {
        byte[] b = s.encode(CLIENT, SERVER);
        assertThat(TcpSegment.parse(b, 0, b.length, CLIENT, SERVER)).isEqualTo(s);
        assertThat(TcpSegment.checksumValid(b, 0, b.length, CLIENT, SERVER)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void randomBytesOnlyRaiseWireFormatException(long seed) {
        Random rnd = Gen.random(seed);
        checkRandomBytes(Gen.bytes(rnd, 80), Gen.between(rnd, -2, 90), Gen.between(rnd, -2, 90));
    }

    /** Every combination of edge sizes (0, 1, 80), offsets and lengths (-2, -1, 0, 1, 89, 90), zeros and ones. */
    static Stream<Arguments> randomBytesEdgeCases() {
        int[] ends = Gen.edgeCases(-2, 90);
        return IntStream.of(0, 1, 80).boxed().flatMap(size -> IntStream.of(0x00, 0xFF).boxed().flatMap(fill ->
                IntStream.of(ends).boxed().flatMap(off -> IntStream.of(ends).mapToObj(len ->
                        Arguments.of(size, fill, off, len)))));
    }

    @ParameterizedTest(name = "{0} bytes of {1}, off {2}, len {3}")
    @MethodSource("randomBytesEdgeCases")
    void edgeCaseBytesOnlyRaiseWireFormatException(int size, int fill, int off, int len) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        checkRandomBytes(bytes, off, len);
    }

    private static void checkRandomBytes(byte[] bytes, int off, int len) {
        try {
            TcpSegment s = TcpSegment.parseUnchecked(bytes, off, len);
            s.toString();
            s.optionList();
            s.mss();
            s.timestamps();
        } catch (WireFormatException expected) {
            // the only exception allowed
        }
        try {
            TcpSegment.parse(bytes, off, len, CLIENT, SERVER);
        } catch (WireFormatException expected) {
            // idem
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void mutatedLinuxSegmentsOnlyRaiseWireFormatException(long seed) {
        Random rnd = Gen.random(seed);
        checkMutatedLinuxSegment(Gen.between(rnd, 0, 9), Gen.between(rnd, 0, 200), Gen.anyByte(rnd),
                Gen.between(rnd, 0, 80));
    }

    /** Each captured segment with its first and last bytes set to each edge value, whole and cut by 9 bytes. */
    @Test
    void edgeCaseMutatedLinuxSegmentsOnlyRaiseWireFormatException() {
        for (int which = 0; which <= 9; which++) {
            for (int position : new int[] {0, 1, tcpBytes(which).length - 1, 199, 200}) {
                for (int value : Gen.edgeCases(Byte.MIN_VALUE, Byte.MAX_VALUE)) {
                    for (int cut : new int[] {0, 1, 9, 79, 80}) {
                        checkMutatedLinuxSegment(which, position, (byte) value, cut);
                    }
                }
            }
        }
    }

    private static void checkMutatedLinuxSegment(int which, int position, byte value, int cut) {
        byte[] b = tcpBytes(which);
        b[position % b.length] = value;
        byte[] c = Arrays.copyOf(b, Math.min(b.length, Math.max(0, b.length - cut % 10)));
        try {
            TcpSegment s = TcpSegment.parseUnchecked(c, 0, c.length);
            assertThat(s.encode(CLIENT, SERVER)).hasSize(c.length);
            s.describe();
        } catch (WireFormatException expected) {
            // fine
        }
        assertThat(FrameSummary.describeIpv4(Ipv4Packet.of(1, 64, 6, CLIENT, SERVER, c).encode())).isNotEmpty();
    }
}
