package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress R = MacAddress.parse("02:00:00:00:01:0a");
    private static final Ipv4Address A_IP = Ipv4Address.parse("10.0.1.2");
    private static final Ipv4Address R_IP = Ipv4Address.parse("10.0.1.1");

    /** The 28 ARP bytes of a captured frame. */
    private static byte[] arpBytes(String frameHex) {
        return Arrays.copyOfRange(hex(frameHex), 14, 42);
    }

    @Test
    void deconstructsTheCapturedRequest() {
        byte[] b = arpBytes(CapturedFrames.ARP_REQUEST);
        ArpPacket arp = ArpPacket.parse(b, 0, b.length);
        assertThat(arp.operation()).isEqualTo(ArpPacket.REQUEST);
        assertThat(arp.isRequest()).isTrue();
        assertThat(arp.senderMac()).isEqualTo(A);
        assertThat(arp.senderIp()).isEqualTo(A_IP);
        assertThat(arp.targetMac()).isEqualTo(MacAddress.ZERO);
        assertThat(arp.targetIp()).isEqualTo(R_IP);
        assertThat(arp.isGratuitous()).isFalse();
    }

    @Test
    void deconstructsTheCapturedReply() {
        byte[] b = arpBytes(CapturedFrames.ARP_REPLY);
        ArpPacket arp = ArpPacket.parse(b, 0, b.length);
        assertThat(arp).isEqualTo(new ArpPacket(ArpPacket.REPLY, R, R_IP, A, A_IP));
        assertThat(arp.isReply()).isTrue();
    }

    @Test
    void constructsTheCapturedRequestAndReply() {
        assertThat(ArpPacket.request(A, A_IP, R_IP).encode()).isEqualTo(arpBytes(CapturedFrames.ARP_REQUEST));
        assertThat(ArpPacket.reply(R, R_IP, A, A_IP).encode()).isEqualTo(arpBytes(CapturedFrames.ARP_REPLY));
        // And the whole frame, with the padding that Linux adds after its capture point.
        byte[] frame = EthernetFrame.of(MacAddress.BROADCAST, A, EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(A, A_IP, R_IP).encode()).encode();
        assertThat(frame).isEqualTo(Arrays.copyOf(hex(CapturedFrames.ARP_REQUEST), 60));
    }

    @Test
    void parsesThePaddedFrameAndIgnoresThePadding() {
        byte[] padded = Arrays.copyOf(hex(CapturedFrames.ARP_REQUEST), 60);
        Arrays.fill(padded, 42, 60, (byte) 0xEE);
        EthernetFrame f = EthernetFrame.parse(padded);
        assertThat(f.payload()).hasSize(46);
        assertThat(ArpPacket.parse(f.payload(), 0, f.payload().length)).isEqualTo(ArpPacket.request(A, A_IP, R_IP));
    }

    @Test
    void parsesAndWritesAtAnOffsetInsideJunk() {
        byte[] buffer = new byte[100];
        Arrays.fill(buffer, (byte) 0x5A);
        ArpPacket reply = ArpPacket.reply(R, R_IP, A, A_IP);
        reply.encodeInto(buffer, 33);
        assertThat(Arrays.copyOfRange(buffer, 33, 61)).isEqualTo(arpBytes(CapturedFrames.ARP_REPLY));
        assertThat(buffer[32]).isEqualTo((byte) 0x5A);
        assertThat(buffer[61]).isEqualTo((byte) 0x5A);
        assertThat(ArpPacket.parse(buffer, 33, 28)).isEqualTo(reply);
    }

    @Test
    void gratuitousAnnouncementHasSenderIpAsTarget() {
        ArpPacket g = ArpPacket.gratuitous(A, A_IP);
        assertThat(g.isGratuitous()).isTrue();
        assertThat(g.isRequest()).isTrue();
        assertThat(g.targetIp()).isEqualTo(A_IP);
        assertThat(g.targetMac()).isEqualTo(MacAddress.ZERO);
    }

    @Test
    void keepsUnknownOperations() {
        byte[] b = arpBytes(CapturedFrames.ARP_REQUEST);
        b[7] = 9; // not request or reply (RFC 5494 lists others, e.g. 8/9 InARP)
        ArpPacket arp = ArpPacket.parse(b, 0, b.length);
        assertThat(arp.operation()).isEqualTo(9);
        assertThat(arp.isRequest()).isFalse();
        assertThat(arp.isReply()).isFalse();
        assertThat(arp.encode()).isEqualTo(b);
    }

    @Test
    void rejectsTruncatedPackets() {
        byte[] b = arpBytes(CapturedFrames.ARP_REQUEST);
        for (int len = 0; len < 28; len++) {
            int n = len;
            assertThatThrownBy(() -> ArpPacket.parse(b, 0, n)).isInstanceOf(WireFormatException.class)
                    .hasMessage("arp: packet of " + n + " bytes is shorter than the 28 bytes of Ethernet/IPv4 ARP");
        }
        assertThatThrownBy(() -> ArpPacket.parse(b, 1, 28)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("outside a buffer");
    }

    @Test
    void rejectsOtherHardwareAndProtocolTypesWithClearMessages() {
        assertThatThrownBy(() -> parseWith(1, (byte) 6)).hasMessage("arp: hardware type 6 is not Ethernet (1)");
        assertThatThrownBy(() -> parseWith(2, (byte) 0x86)).isInstanceOf(WireFormatException.class)
                .hasMessage("arp: protocol type 0x86dd is not IPv4 (0x0800)");
        assertThatThrownBy(() -> parseWith(4, (byte) 8)).hasMessage("arp: hardware address length 8 is not 6");
        assertThatThrownBy(() -> parseWith(5, (byte) 16)).hasMessage("arp: protocol address length 16 is not 4");
    }

    private static ArpPacket parseWith(int index, byte value) {
        byte[] b = arpBytes(CapturedFrames.ARP_REQUEST);
        b[index] = value;
        if (index == 2) {
            b[3] = (byte) 0xdd;
        }
        return ArpPacket.parse(b, 0, b.length);
    }

    @Test
    void refusesOperationsThatDoNotFit() {
        assertThatThrownBy(() -> new ArpPacket(0x10000, A, A_IP, R, R_IP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArpPacket(-1, A, A_IP, R, R_IP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArpPacket(1, A, null, R, R_IP)).isInstanceOf(NullPointerException.class);
    }
}
