package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {

    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress R = MacAddress.parse("02:00:00:00:01:0a");

    @Test
    void deconstructsACapturedArpRequest() {
        EthernetFrame f = EthernetFrame.parse(hex(CapturedFrames.ARP_REQUEST));
        assertThat(f.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(f.source()).isEqualTo(A);
        assertThat(f.isTagged()).isFalse();
        assertThat(f.vlanTci()).isEqualTo(-1);
        assertThat(f.vlanId()).isEqualTo(-1);
        assertThat(f.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_ARP);
        assertThat(f.isEthernetII()).isTrue();
        assertThat(f.headerLength()).isEqualTo(14);
        assertThat(f.payload()).isEqualTo(Arrays.copyOfRange(hex(CapturedFrames.ARP_REQUEST), 14, 42));
    }

    @Test
    void constructsTheCapturedEchoRequestPaddedToTheMinimumFrame() {
        byte[] captured = hex(CapturedFrames.ECHO_REQUEST); // 58 bytes: Linux pads after the capture point
        byte[] ip = Arrays.copyOfRange(captured, 14, captured.length);
        byte[] encoded = EthernetFrame.of(R, A, EthernetFrame.ETHERTYPE_IPV4, ip).encode();
        // IEEE 802.3 clause 3.2.8 (Pad field): short frames are padded to the minimum size; zeros here.
        assertThat(encoded).hasSize(EthernetFrame.MIN_FRAME_LENGTH);
        assertThat(Arrays.copyOf(encoded, 58)).isEqualTo(captured);
        assertThat(Arrays.copyOfRange(encoded, 58, 60)).containsOnly(0);
    }

    @Test
    void longFramesAreNotPadded() {
        byte[] captured = CapturedFrames.frame("a#7"); // 1442 bytes
        EthernetFrame f = EthernetFrame.parse(captured);
        assertThat(f.encode()).isEqualTo(captured);
        assertThat(EthernetFrame.of(f.destination(), f.source(), f.etherType(), f.payload()).encode()).isEqualTo(captured);
    }

    @Test
    void paddingBecomesPartOfThePayloadAndIpv4IgnoresIt() {
        byte[] padded = EthernetFrame.parse(hex(CapturedFrames.ECHO_REQUEST)).encode();
        EthernetFrame f = EthernetFrame.parse(padded);
        assertThat(f.payload()).hasSize(46);
        Ipv4Packet ip = Ipv4Packet.parse(f.payload(), 0, f.payload().length);
        assertThat(ip.totalLength()).isEqualTo(44);
    }

    @Test
    void deconstructsAnIeee8021QTag() {
        EthernetFrame f = EthernetFrame.parse(hex(CapturedFrames.VLAN_ARP_REQUEST));
        assertThat(f.isTagged()).isTrue();
        assertThat(f.vlanTci()).isEqualTo(0xa00a);
        assertThat(f.vlanId()).isEqualTo(10);
        assertThat(f.vlanPriority()).isEqualTo(5);
        assertThat(f.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_ARP);
        assertThat(f.headerLength()).isEqualTo(18);
        assertThat(ArpPacket.parse(f.payload(), 0, f.payload().length).targetIp()).isEqualTo(Ipv4Address.parse("10.0.1.1"));
    }

    @Test
    void constructsTaggedFrames() {
        byte[] vlanEcho = hex(CapturedFrames.VLAN_ECHO_REQUEST);
        byte[] ip = Arrays.copyOfRange(vlanEcho, 18, vlanEcho.length);
        byte[] encoded = EthernetFrame.tagged(R, A, 100, EthernetFrame.ETHERTYPE_IPV4, ip).encode();
        assertThat(Arrays.copyOf(encoded, vlanEcho.length)).isEqualTo(vlanEcho);

        byte[] vlanArp = hex(CapturedFrames.VLAN_ARP_REQUEST);
        EthernetFrame f = new EthernetFrame(MacAddress.BROADCAST, A, 0xa00a, EthernetFrame.ETHERTYPE_ARP,
                Arrays.copyOfRange(vlanArp, 18, vlanArp.length));
        assertThat(f.encode()).isEqualTo(Arrays.copyOf(vlanArp, 60));
        assertThat(EthernetFrame.parse(f.encode()).withPayload(f.payload())).isEqualTo(f);
    }

    @Test
    void parsesAtAnOffsetInsideAJunkFilledBuffer() {
        byte[] frame = CapturedFrames.frame("a#3");
        byte[] buffer = new byte[frame.length + 40];
        Arrays.fill(buffer, (byte) 0xA5);
        System.arraycopy(frame, 0, buffer, 17, frame.length);
        assertThat(EthernetFrame.parse(buffer, 17, frame.length)).isEqualTo(EthernetFrame.parse(frame));
    }

    @Test
    void keepsUnknownEtherTypesAndIeee8023LengthFields() {
        byte[] ipv6 = hex("333300000001 02000000000a 86dd" + "60000000000000ff");
        EthernetFrame f = EthernetFrame.parse(ipv6);
        assertThat(f.etherType()).isEqualTo(0x86dd);
        assertThat(f.payload()).hasSize(8);

        // An IEEE 802.3 frame with LLC (STP BPDU): the type field is a length (39), kept as a value.
        byte[] stp = hex("0180c2000000 02000000000a 0027 424203 0000000000");
        EthernetFrame llc = EthernetFrame.parse(stp);
        assertThat(llc.isEthernetII()).isFalse();
        assertThat(llc.etherType()).isEqualTo(0x27);
        assertThat(Arrays.copyOf(llc.encode(), stp.length)).isEqualTo(stp);
    }

    @Test
    void rejectsTruncatedHeaders() {
        byte[] frame = hex(CapturedFrames.ARP_REQUEST);
        for (int len = 0; len < 14; len++) {
            int n = len;
            assertThatThrownBy(() -> EthernetFrame.parse(Arrays.copyOf(frame, n)))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessage("ethernet: frame of " + n + " bytes is shorter than the 14-byte header");
        }
        byte[] tagged = hex(CapturedFrames.VLAN_ARP_REQUEST);
        assertThatThrownBy(() -> EthernetFrame.parse(Arrays.copyOf(tagged, 17)))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("802.1Q-tagged frame of 17 bytes");
        // A bare header is a valid (empty) frame.
        assertThat(EthernetFrame.parse(Arrays.copyOf(frame, 14)).payload()).isEmpty();
        assertThat(EthernetFrame.parse(Arrays.copyOf(tagged, 18)).payload()).isEmpty();
    }

    @Test
    void rejectsRangesOutsideTheBuffer() {
        byte[] frame = hex(CapturedFrames.ARP_REQUEST);
        assertThatThrownBy(() -> EthernetFrame.parse(frame, 30, 20)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("outside a buffer of 42 bytes");
        assertThatThrownBy(() -> EthernetFrame.parse(frame, -1, 20)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> EthernetFrame.parse(frame, 0, -1)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> EthernetFrame.parse(null)).isInstanceOf(WireFormatException.class);
    }

    @Test
    void refusesFieldsThatDoNotFit() {
        byte[] p = new byte[0];
        assertThatThrownBy(() -> EthernetFrame.of(A, R, 0x10000, p)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EthernetFrame(A, R, 0x10000, 0x0800, p)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EthernetFrame(A, R, -2, 0x0800, p)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EthernetFrame.tagged(A, R, 4096, 0x0800, p)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valueSemanticsCompareBytes() {
        EthernetFrame a = EthernetFrame.of(A, R, 0x0800, new byte[] {1, 2, 3});
        EthernetFrame b = EthernetFrame.of(A, R, 0x0800, new byte[] {1, 2, 3});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.withPayload(new byte[] {1, 2, 4}));
        assertThat(a.withAddresses(R, A).destination()).isEqualTo(R);
        assertThat(a.toString()).contains("02:00:00:00:01:0a > 02:00:00:00:00:0a", "0x0800", "3 payload bytes");
    }
}
