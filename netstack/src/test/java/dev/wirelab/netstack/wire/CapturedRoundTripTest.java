package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every captured frame (three-namespaces.hex, vxlan-namespaces.hex) decodes through all its layers and
 * each layer re-encodes to exactly the captured bytes.
 */
class CapturedRoundTripTest {

    @Test
    void everyCapturedFrameRoundTripsThroughEveryLayer() {
        assertThat(CapturedFrames.ALL).hasSize(38);
        CapturedFrames.ALL.forEach((name, bytes) -> roundTrip(name, bytes));
    }

    @Test
    void everyInnerFrameOfTheVxlanCaptureRoundTrips() {
        for (int i = 3; i <= 6; i++) {
            String name = "x#" + i;
            byte[] ip = CapturedFrames.ipOf(name);
            Ipv4Packet outer = Ipv4Packet.parse(ip, 0, ip.length);
            UdpDatagram udp = UdpDatagram.parse(outer.payload(), 0, outer.payload().length, outer.source(), outer.destination());
            assertThat(udp.destinationPort()).isEqualTo(Vxlan.DEFAULT_PORT);
            byte[] inner = Vxlan.decapsulate(udp.payload(), 0, udp.payload().length);
            roundTrip(name + " inner", inner);
        }
    }

    private static void roundTrip(String name, byte[] bytes) {
        EthernetFrame frame = EthernetFrame.parse(bytes);
        byte[] padded = Arrays.copyOf(bytes, Math.max(bytes.length, EthernetFrame.MIN_FRAME_LENGTH));
        assertThat(frame.encode()).as(name).isEqualTo(padded);
        byte[] p = frame.payload();
        switch (frame.etherType()) {
            case EthernetFrame.ETHERTYPE_ARP -> assertThat(ArpPacket.parse(p, 0, p.length).encode())
                    .as(name).isEqualTo(Arrays.copyOf(p, ArpPacket.LENGTH));
            case EthernetFrame.ETHERTYPE_IPV4 -> {
                Ipv4Packet ip = Ipv4Packet.parse(p, 0, p.length);
                assertThat(ip.encode()).as(name).isEqualTo(Arrays.copyOf(p, ip.totalLength()));
                byte[] d = ip.payload();
                if (!ip.isFragment() && ip.protocol() == Ipv4Packet.PROTOCOL_ICMP) {
                    assertThat(IcmpMessage.parse(d, 0, d.length).encode()).as(name).isEqualTo(d);
                } else if (!ip.isFragment() && ip.protocol() == Ipv4Packet.PROTOCOL_UDP) {
                    UdpDatagram udp = UdpDatagram.parse(d, 0, d.length, ip.source(), ip.destination());
                    boolean sentChecksum = d[6] != 0 || d[7] != 0;
                    assertThat(sentChecksum ? udp.encode(ip.source(), ip.destination()) : udp.encodeWithoutChecksum())
                            .as(name).isEqualTo(d);
                }
            }
            default -> throw new AssertionError(name + ": unexpected EtherType " + frame.etherType());
        }
        assertThat(FrameSummary.describe(bytes)).as(name).doesNotContain("malformed");
    }
}
