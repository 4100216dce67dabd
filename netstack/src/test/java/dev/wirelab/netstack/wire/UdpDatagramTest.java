package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static dev.wirelab.netstack.wire.CapturedFrames.ipOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpDatagramTest {

    private static final Ipv4Address A = Ipv4Address.parse("10.0.1.2");
    private static final Ipv4Address R = Ipv4Address.parse("10.0.1.1");
    private static final Ipv4Address C = Ipv4Address.parse("10.0.2.2");

    private static byte[] udpOf(String name) {
        byte[] ip = ipOf(name);
        return Ipv4Packet.parse(ip, 0, ip.length).payload();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void deconstructsTheCapturedDatagram() {
        byte[] b = udpOf("a#17");
        UdpDatagram d = UdpDatagram.parse(b, 0, b.length, A, C);
        assertThat(d.sourcePort()).isEqualTo(40000);
        assertThat(d.destinationPort()).isEqualTo(9999);
        assertThat(d.length()).isEqualTo(19);
        assertThat(d.payload()).isEqualTo(ascii("wirelab udp"));
    }

    @Test
    void constructsTheCapturedDatagrams() {
        assertThat(new UdpDatagram(40000, 9999, ascii("wirelab udp")).encode(A, C)).isEqualTo(udpOf("a#17"));
        // Odd length: the checksum pads the last byte with zero (RFC 768).
        assertThat(new UdpDatagram(40002, 7, ascii("odd")).encode(A, R)).isEqualTo(udpOf("a#21"));
        // A Linux VXLAN datagram (outer UDP of x#5): source port from the flow hash, destination 4789.
        byte[] vxlanUdp = udpOf("x#5");
        UdpDatagram vxlan = UdpDatagram.parse(vxlanUdp, 0, vxlanUdp.length,
                Ipv4Address.parse("192.168.50.1"), Ipv4Address.parse("192.168.50.2"));
        assertThat(vxlan.destinationPort()).isEqualTo(Vxlan.DEFAULT_PORT);
        assertThat(new UdpDatagram(vxlan.sourcePort(), 4789, vxlan.payload())
                .encode(Ipv4Address.parse("192.168.50.1"), Ipv4Address.parse("192.168.50.2"))).isEqualTo(vxlanUdp);
    }

    @Test
    void acceptsAZeroChecksumAsNoChecksum() {
        byte[] b = udpOf("a#19"); // sent with SO_NO_CHECK
        assertThat(b[6]).isZero();
        assertThat(b[7]).isZero();
        UdpDatagram d = UdpDatagram.parse(b, 0, b.length, A, R);
        assertThat(d.payload()).isEqualTo(ascii("no checksum"));
        assertThat(d.encodeWithoutChecksum()).isEqualTo(b);
        // Unchecked, so even the wrong pseudo-header is accepted (RFC 768).
        assertThat(UdpDatagram.parse(b, 0, b.length, C, C)).isEqualTo(d);
        assertThat(d.encode(A, R)).isNotEqualTo(b);
    }

    @Test
    void sendsAComputedZeroAsAllOnes() {
        UdpDatagram zero = null;
        for (int w = 0; w <= 0xFFFF && zero == null; w++) {
            UdpDatagram d = new UdpDatagram(1234, 53, new byte[] {(byte) (w >>> 8), (byte) w});
            byte[] b = d.encode(A, C);
            if ((b[6] & 0xFF) == 0xFF && (b[7] & 0xFF) == 0xFF) {
                zero = d;
            }
        }
        assertThat(zero).as("a payload whose checksum computes to zero").isNotNull();
        byte[] b = zero.encode(A, C);
        // RFC 768: "If the computed checksum is zero, it is transmitted as all ones."
        assertThat(UdpDatagram.parse(b, 0, b.length, A, C)).isEqualTo(zero);
        assertThat(InternetChecksum.finish(InternetChecksum.add(
                InternetChecksum.pseudoHeader(A, C, 17, b.length), b, 0, b.length))).isZero();
    }

    @Test
    void rejectsBadChecksumsNamingBothValues() {
        byte[] b = udpOf("a#17");
        b[7] ^= 1;
        assertThatThrownBy(() -> UdpDatagram.parse(b, 0, b.length, A, C)).isInstanceOf(WireFormatException.class)
                .hasMessage("udp: bad checksum 0x87be (expected 0x87bf)");
        byte[] data = udpOf("a#17");
        data[12] ^= 0x20;
        assertThatThrownBy(() -> UdpDatagram.parse(data, 0, data.length, A, C))
                .hasMessageStartingWith("udp: bad checksum 0x87bf (expected");
    }

    @Test
    void thePseudoHeaderCoversTheAddresses() {
        byte[] b = udpOf("a#17");
        assertThatThrownBy(() -> UdpDatagram.parse(b, 0, b.length, A, R)).isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("udp: bad checksum");
        assertThatThrownBy(() -> UdpDatagram.parse(b, 0, b.length, Ipv4Address.parse("10.0.1.3"), C))
                .hasMessageStartingWith("udp: bad checksum");
        // The one's complement sum is commutative: swapping source and destination cannot be detected.
        assertThat(UdpDatagram.parse(b, 0, b.length, C, A).sourcePort()).isEqualTo(40000);
    }

    @Test
    void rejectsBadLengthFields() {
        byte[] b = udpOf("a#17");
        for (int len = 0; len < 8; len++) {
            int n = len;
            assertThatThrownBy(() -> UdpDatagram.parse(b, 0, n, A, C)).isInstanceOf(WireFormatException.class)
                    .hasMessage("udp: datagram of " + n + " bytes is shorter than the 8-byte header");
        }
        assertThatThrownBy(() -> UdpDatagram.parse(b, 0, 18, A, C))
                .hasMessage("udp: length field 19 exceeds the 18 bytes received");
        byte[] tooSmall = udpOf("a#17");
        tooSmall[5] = 7;
        assertThatThrownBy(() -> UdpDatagram.parse(tooSmall, 0, tooSmall.length, A, C))
                .hasMessage("udp: length field 7 is below the minimum of 8");
        assertThatThrownBy(() -> UdpDatagram.parse(b, 5, 19, A, C)).hasMessageContaining("outside a buffer");
        assertThatThrownBy(() -> UdpDatagram.parse(b, 0, 19, null, C)).isInstanceOf(WireFormatException.class);
    }

    @Test
    void ignoresBytesPastTheLengthField() {
        byte[] b = udpOf("a#17");
        byte[] longer = Arrays.copyOf(b, b.length + 5);
        Arrays.fill(longer, b.length, longer.length, (byte) 0x42);
        assertThat(UdpDatagram.parse(longer, 0, longer.length, A, C).payload()).isEqualTo(ascii("wirelab udp"));
    }

    @Test
    void parsesAtAnOffsetInsideJunk() {
        byte[] b = udpOf("a#17");
        byte[] buffer = new byte[b.length + 20];
        Arrays.fill(buffer, (byte) 0x3C);
        System.arraycopy(b, 0, buffer, 9, b.length);
        assertThat(UdpDatagram.parse(buffer, 9, b.length, A, C)).isEqualTo(new UdpDatagram(40000, 9999, ascii("wirelab udp")));
    }

    @Test
    void emptyAndLargestPayloads() {
        UdpDatagram empty = new UdpDatagram(0, 0, new byte[0]);
        byte[] e = empty.encode(A, C);
        assertThat(e).hasSize(8);
        assertThat(UdpDatagram.parse(e, 0, 8, A, C)).isEqualTo(empty);
        assertThat(new UdpDatagram(1, 2, new byte[UdpDatagram.MAX_PAYLOAD_LENGTH]).length()).isEqualTo(0xFFFF);
        assertThatThrownBy(() -> new UdpDatagram(1, 2, new byte[UdpDatagram.MAX_PAYLOAD_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpDatagram(65536, 2, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpDatagram(1, -1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
