package dev.wirelab.netstack.wire;

import static dev.wirelab.netstack.wire.CapturedFrames.ipOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** VXLAN (RFC 7348) against datagrams sent by the Linux vxlan driver (vxlan-namespaces.hex). */
class VxlanTest {

    /** The UDP payload (VXLAN header + inner frame) of a captured underlay frame. */
    private static byte[] vxlanOf(String name) {
        byte[] ip = ipOf(name);
        byte[] udp = Ipv4Packet.parse(ip, 0, ip.length).payload();
        return Arrays.copyOfRange(udp, UdpDatagram.HEADER_LENGTH, udp.length);
    }

    @Test
    void readsTheVniAndInnerFrameOfLinuxDatagrams() {
        byte[] v = vxlanOf("x#5");
        assertThat(Arrays.copyOf(v, 8)).isEqualTo(CapturedFrames.hex("08000000 00002a00"));
        assertThat(Vxlan.readVni(v, 0, v.length)).isEqualTo(42);
        EthernetFrame inner = EthernetFrame.parse(Vxlan.decapsulate(v, 0, v.length));
        assertThat(inner.source()).isEqualTo(MacAddress.parse("02:00:00:00:42:01"));
        assertThat(inner.destination()).isEqualTo(MacAddress.parse("02:00:00:00:42:02"));
        assertThat(inner.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_IPV4);
        // Linux does not pad inner frames: this ARP request is 42 bytes inside VXLAN.
        byte[] arp = vxlanOf("x#3");
        assertThat(Vxlan.decapsulate(arp, 0, arp.length)).hasSize(42);
    }

    @Test
    void readsTheVniFromAHeaderReadApartFromTheFrame() {
        // A receiver may read the 8 header bytes into their own array and pass the datagram's length.
        byte[] v = vxlanOf("x#5");
        assertThat(Vxlan.readVni(Arrays.copyOf(v, 8), 0, v.length)).isEqualTo(42);
    }

    @Test
    void encapsulatesAsLinuxDoes() {
        for (String name : new String[] {"x#3", "x#4", "x#5", "x#6"}) {
            byte[] v = vxlanOf(name);
            byte[] inner = Arrays.copyOfRange(v, 8, v.length);
            assertThat(Vxlan.encapsulate(42, inner)).as(name).isEqualTo(v);
        }
    }

    @Test
    void writesAndReadsTheHeaderAtAnOffsetInsideJunk() {
        byte[] buffer = new byte[60];
        Arrays.fill(buffer, (byte) 0xAB);
        Vxlan.writeHeader(buffer, 11, 0xFEDCBA);
        assertThat(buffer[10]).isEqualTo((byte) 0xAB);
        assertThat(buffer[19]).isEqualTo((byte) 0xAB);
        assertThat(Vxlan.readVni(buffer, 11, 8 + 14)).isEqualTo(0xFEDCBA);
        assertThat(Vxlan.decapsulate(buffer, 11, 8 + 14)).hasSize(14).containsOnly(0xAB);
    }

    @Test
    void ignoresReservedBitsButNeedsTheIFlag() {
        byte[] v = vxlanOf("x#5");
        v[0] |= (byte) 0xF7; // RFC 7348 section 5: reserved bits "MUST be ignored on receipt"
        v[1] = v[2] = v[3] = v[7] = (byte) 0xFF;
        assertThat(Vxlan.readVni(v, 0, v.length)).isEqualTo(42);
        v[0] = (byte) 0xF7;
        assertThatThrownBy(() -> Vxlan.readVni(v, 0, v.length)).isInstanceOf(WireFormatException.class)
                .hasMessage("vxlan: I flag clear: no valid VNI");
    }

    @Test
    void rejectsTruncatedDatagramsAndBadRanges() {
        byte[] v = vxlanOf("x#5");
        assertThatThrownBy(() -> Vxlan.readVni(v, 0, 21)).isInstanceOf(WireFormatException.class)
                .hasMessage("vxlan: datagram of 21 bytes is shorter than a VXLAN header plus an Ethernet header");
        assertThatThrownBy(() -> Vxlan.decapsulate(v, 0, 7)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> Vxlan.readVni(v, v.length - 7, 22)).isInstanceOf(WireFormatException.class)
                .hasMessage("vxlan: header at " + (v.length - 7) + " outside a buffer of " + v.length + " bytes");
        assertThatThrownBy(() -> Vxlan.decapsulate(v, v.length - 10, 22)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("outside a buffer");
        assertThatThrownBy(() -> Vxlan.readVni(null, 0, 22)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> Vxlan.encapsulate(1 << 24, new byte[14])).isInstanceOf(IllegalArgumentException.class);
    }
}
