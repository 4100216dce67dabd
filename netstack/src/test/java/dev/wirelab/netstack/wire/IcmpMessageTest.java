package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static dev.wirelab.netstack.wire.CapturedFrames.ipOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpMessageTest {

    private static final Ipv4Address A = Ipv4Address.parse("10.0.1.2");
    private static final Ipv4Address C = Ipv4Address.parse("10.0.2.2");
    /** What Linux quotes in errors: up to a 576-byte ICMP datagram (RFC 1812 section 4.3.2.3). */
    private static final int LINUX_QUOTE = IcmpMessage.MAX_ERROR_DATAGRAM_LENGTH - 20 - 8;
    private static final byte[] PING_DATA = hex("d42a026b00000000df660c0000000000");

    /** The ICMP message carried by a captured frame. */
    private static byte[] icmpOf(String name) {
        byte[] ip = ipOf(name);
        return Ipv4Packet.parse(ip, 0, ip.length).payload();
    }

    private static IcmpMessage parse(byte[] b) {
        return IcmpMessage.parse(b, 0, b.length);
    }

    @Test
    void deconstructsTheCapturedEchoRequestAndReply() {
        IcmpMessage request = parse(icmpOf("a#3"));
        assertThat(request.type()).isEqualTo(IcmpMessage.TYPE_ECHO_REQUEST);
        assertThat(request.code()).isZero();
        assertThat(request.identifier()).isEqualTo(0x196e);
        assertThat(request.sequence()).isEqualTo(1);
        assertThat(request.body()).isEqualTo(PING_DATA);
        assertThat(request.isEchoRequest()).isTrue();
        assertThat(request.isError()).isFalse();

        IcmpMessage reply = parse(icmpOf("a#4"));
        assertThat(reply.isEchoReply()).isTrue();
        assertThat(reply.identifier()).isEqualTo(0x196e);
        assertThat(reply.body()).isEqualTo(request.body());
    }

    @Test
    void constructsTheCapturedEchoRequestAndReply() {
        assertThat(IcmpMessage.echoRequest(0x196e, 1, PING_DATA).encode()).isEqualTo(icmpOf("a#3"));
        assertThat(IcmpMessage.echoReply(0x196e, 1, PING_DATA).encode()).isEqualTo(icmpOf("a#4"));
    }

    @Test
    void deconstructsTheCapturedTimeExceededAndItsQuote() {
        IcmpMessage m = parse(icmpOf("a#6"));
        assertThat(m.type()).isEqualTo(IcmpMessage.TYPE_TIME_EXCEEDED);
        assertThat(m.code()).isEqualTo(IcmpMessage.TTL_EXCEEDED_IN_TRANSIT);
        assertThat(m.restOfHeader()).isZero();
        assertThat(m.isError()).isTrue();
        Ipv4Packet quoted = m.quotedPacket();
        assertThat(quoted.ttl()).isEqualTo(1);
        assertThat(quoted.source()).isEqualTo(A);
        assertThat(quoted.destination()).isEqualTo(C);
        // The quoted echo request still names its id and sequence: enough for ping/traceroute to match it.
        IcmpMessage original = IcmpMessage.parse(quoted.payload(), 0, quoted.payload().length);
        assertThat(original.identifier()).isEqualTo(0x196f);
        assertThat(original.sequence()).isEqualTo(1);
    }

    @Test
    void constructsTheCapturedErrorsFromTheOffendingDatagrams() {
        assertThat(IcmpMessage.timeExceeded(IcmpMessage.TTL_EXCEEDED_IN_TRANSIT,
                IcmpMessage.quote(ipOf("a#5"), LINUX_QUOTE)).encode()).isEqualTo(icmpOf("a#6"));
        assertThat(IcmpMessage.destinationUnreachable(IcmpMessage.NET_UNREACHABLE,
                IcmpMessage.quote(ipOf("a#13"), LINUX_QUOTE)).encode()).isEqualTo(icmpOf("a#14"));
        assertThat(IcmpMessage.destinationUnreachable(IcmpMessage.PORT_UNREACHABLE,
                IcmpMessage.quote(ipOf("a#19"), LINUX_QUOTE)).encode()).isEqualTo(icmpOf("a#20"));
        // C's port unreachable quotes the datagram as C received it, one hop later.
        byte[] atC = Ipv4Packet.parse(ipOf("a#17"), 0, 39).withTtl(63).encode();
        assertThat(IcmpMessage.destinationUnreachable(IcmpMessage.PORT_UNREACHABLE,
                IcmpMessage.quote(atC, LINUX_QUOTE)).encode()).isEqualTo(icmpOf("a#18"));
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() {
        IcmpMessage m = parse(icmpOf("a#12"));
        assertThat(m.type()).isEqualTo(IcmpMessage.TYPE_DESTINATION_UNREACHABLE);
        assertThat(m.code()).isEqualTo(IcmpMessage.FRAGMENTATION_NEEDED);
        assertThat(m.restOfHeader()).isEqualTo(576);
        assertThat(m.nextHopMtu()).isEqualTo(576);
        assertThat(m.body()).hasSize(548);
        Ipv4Packet quoted = m.quotedPacket();
        assertThat(quoted.dontFragment()).isTrue();
        assertThat(quoted.destination()).isEqualTo(C);
        assertThat(quoted.payload()).hasSize(528);

        byte[] big = ipOf("a#11"); // the 1428-byte echo request with DF set
        assertThat(IcmpMessage.fragmentationNeeded(576, IcmpMessage.quote(big, LINUX_QUOTE)).encode())
                .isEqualTo(icmpOf("a#12"));
    }

    @Test
    void quoteIsTheHeaderAndEightBytesOfData() {
        byte[] request = ipOf("a#11");
        assertThat(IcmpMessage.quote(request)).isEqualTo(Arrays.copyOf(request, 28));
        byte[] withOptions = ipOf("a#15");
        assertThat(IcmpMessage.quote(withOptions)).isEqualTo(Arrays.copyOf(withOptions, 68));
        // Never past the total length, even with link padding after the datagram.
        byte[] tiny = Ipv4Packet.of(7, 64, 17, A, C, new byte[] {1, 2, 3, 4}).encode();
        byte[] padded = Arrays.copyOf(tiny, 46);
        Arrays.fill(padded, 24, 46, (byte) 0xEE);
        assertThat(IcmpMessage.quote(padded)).isEqualTo(tiny);
        assertThat(IcmpMessage.quote(padded, 1000)).isEqualTo(tiny);
        assertThat(IcmpMessage.quote(request, 0)).isEqualTo(Arrays.copyOf(request, 20));
        assertThatThrownBy(() -> IcmpMessage.quote(new byte[12])).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> IcmpMessage.quote(null)).isInstanceOf(WireFormatException.class);
    }

    @Test
    void parsesAtAnOffsetInsideJunk() {
        byte[] icmp = icmpOf("a#12");
        byte[] buffer = new byte[icmp.length + 30];
        Arrays.fill(buffer, (byte) 0x99);
        System.arraycopy(icmp, 0, buffer, 13, icmp.length);
        assertThat(IcmpMessage.parse(buffer, 13, icmp.length)).isEqualTo(parse(icmp));
    }

    @Test
    void oddLengthMessagesChecksumWithAZeroPad() {
        byte[] odd = IcmpMessage.echoRequest(1, 2, "odd".getBytes(StandardCharsets.US_ASCII)).encode();
        assertThat(odd).hasSize(11);
        assertThat(InternetChecksum.compute(odd, 0, odd.length)).isZero();
        assertThat(parse(odd).body()).containsExactly('o', 'd', 'd');
    }

    @Test
    void rejectsBadChecksumsNamingBothValues() {
        byte[] icmp = icmpOf("a#3");
        icmp[3] ^= 1;
        assertThatThrownBy(() -> parse(icmp)).isInstanceOf(WireFormatException.class)
                .hasMessage("icmp: bad checksum 0x1c95 (expected 0x1c94)");
        byte[] body = icmpOf("a#3");
        body[20] ^= 0x40; // one bit of the echo data
        assertThatThrownBy(() -> parse(body)).hasMessageStartingWith("icmp: bad checksum 0x1c94 (expected");
    }

    @Test
    void rejectsTruncatedMessages() {
        byte[] icmp = icmpOf("a#3");
        for (int len = 0; len < 8; len++) {
            int n = len;
            assertThatThrownBy(() -> IcmpMessage.parse(icmp, 0, n)).isInstanceOf(WireFormatException.class)
                    .hasMessage("icmp: message of " + n + " bytes is shorter than the 8-byte header");
        }
        // A cut message fails its checksum rather than parsing short...
        assertThatThrownBy(() -> IcmpMessage.parse(icmp, 0, 18)).hasMessageStartingWith("icmp: bad checksum");
        // ...unless only zero bytes were cut: they add nothing to the Internet checksum (RFC 1071), so the
        // length must come from the IP header, never from the checksum.
        assertThat(IcmpMessage.parse(icmp, 0, 20).body()).hasSize(12);
        assertThatThrownBy(() -> IcmpMessage.parse(icmp, 10, 20)).hasMessageContaining("outside a buffer");
    }

    @Test
    void keepsUnknownTypesAndCodes() {
        IcmpMessage odd = new IcmpMessage(42, 9, 0xDEADBEEF, new byte[] {1, 2});
        IcmpMessage back = parse(odd.encode());
        assertThat(back).isEqualTo(odd);
        assertThat(back.isError()).isFalse();
        assertThat(back.identifier()).isEqualTo(0xDEAD);
        assertThat(back.sequence()).isEqualTo(0xBEEF);
        IcmpMessage unknownUnreachable = IcmpMessage.destinationUnreachable(15, new byte[0]);
        assertThat(parse(unknownUnreachable.encode()).code()).isEqualTo(15);
    }

    @Test
    void errorTypesAreThoseOfRfc1122() {
        for (int type = 0; type < 256; type++) {
            boolean error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
            assertThat(new IcmpMessage(type, 0, 0, new byte[0]).isError()).as("type %d", type).isEqualTo(error);
        }
    }

    @Test
    void quotedPacketNeedsAnErrorWithAWholeHeader() {
        assertThatThrownBy(() -> IcmpMessage.echoRequest(1, 1, new byte[30]).quotedPacket())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> IcmpMessage.timeExceeded(0, new byte[10]).quotedPacket())
                .isInstanceOf(WireFormatException.class);
    }

    @Test
    void refusesFieldsThatDoNotFit() {
        assertThatThrownBy(() -> IcmpMessage.fragmentationNeeded(0x10000, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IcmpMessage.echoRequest(0x10000, 1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IcmpMessage.echoReply(1, -1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpMessage(256, 0, 0, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpMessage(3, 256, 0, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThat(IcmpMessage.echoRequest(0xFFFF, 0xFFFF, new byte[0]).identifier()).isEqualTo(0xFFFF);
    }
}
