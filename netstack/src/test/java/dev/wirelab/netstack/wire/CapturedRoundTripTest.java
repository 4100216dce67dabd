package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every captured frame (see three-namespaces.hex) decodes through all layers and re-encodes to its own bytes. */
class CapturedRoundTripTest {

    /** Frames of three-namespaces.hex by name ("a#12"): real Linux traffic, see the file's header. */
    static Map<String, byte[]> captured() {
        try (InputStream in = CapturedRoundTripTest.class.getResourceAsStream("three-namespaces.hex")) {
            Map<String, byte[]> frames = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                byte[] bytes = CapturedFrames.hex(f[2]);
                assertThat(bytes).hasSize(Integer.parseInt(f[1]));
                frames.put(f[0], bytes);
            }
            return frames;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyCapturedFrameRoundTripsThroughEveryLayer() {
        Map<String, byte[]> frames = captured();
        assertThat(frames).hasSize(32);
        frames.forEach((name, bytes) -> {
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
                        if (EthernetFrame.parse(bytes).payload()[ip.headerLength() + 6] != 0
                                || EthernetFrame.parse(bytes).payload()[ip.headerLength() + 7] != 0) {
                            assertThat(udp.encode(ip.source(), ip.destination())).as(name).isEqualTo(d);
                        } else {
                            assertThat(udp.encodeWithoutChecksum()).as(name).isEqualTo(d);
                        }
                    }
                }
                default -> throw new AssertionError(name + ": unexpected EtherType " + frame.etherType());
            }
            assertThat(FrameSummary.describe(bytes)).as(name).doesNotStartWith("malformed");
        });
    }
}
