package dev.wirelab.netstack.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Software segmentation of TCP super-packets: the segments a NIC with TSO would send. */
class TsoTest {

    static final Ipv4Address A = Ipv4Address.parse("10.0.1.10");
    static final Ipv4Address B = Ipv4Address.parse("10.0.2.10");
    static final MacAddress MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress MAC_B = MacAddress.parse("02:00:00:00:00:0b");

    /** A super-packet: ACK|PSH|FIN|CWR, timestamps, sequence just below the 2^32 wrap. */
    static Ipv4Packet superPacket(byte[] data, int gso) {
        byte[] ts = new TcpSegment.Options().nop().nop().timestamps(123456, 654321).build();
        TcpSegment seg = new TcpSegment(40000, 5001, 0xFFFF_F000L, 77, TcpSegment.ACK | TcpSegment.PSH | TcpSegment.FIN
                | TcpSegment.CWR, 501, 0, ts, data);
        return new Ipv4Packet(0, 0xFFFE, true, false, 0, 63, Ipv4Packet.PROTOCOL_TCP, A, B, new byte[0],
                seg.encode(A, B)).withGsoSize(gso);
    }

    @Test
    void cutsIntoValidSegmentsWithLinuxFlagsAndIds() {
        byte[] data = new byte[10_000];
        new Random(1).nextBytes(data);
        Ipv4Packet p = superPacket(data, 1448);
        assertThat(Tso.tcpHeaderLength(p)).isEqualTo(32);
        assertThat(Tso.segmentDatagramLength(p)).isEqualTo(20 + 32 + 1448);

        List<Ipv4Packet> pieces = Tso.segment(p);

        assertThat(pieces).hasSize(7); // 6 x 1448 + 1312
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.size(); i++) {
            Ipv4Packet piece = pieces.get(i);
            // What goes on the wire parses back with valid IP and TCP checksums.
            Ipv4Packet wire = Ipv4Packet.parse(piece.encode(), 0, piece.totalLength());
            TcpSegment s = TcpSegment.parse(wire.payload(), 0, wire.payloadLength(), A, B);
            assertThat(wire.gsoSize()).isZero();
            assertThat(wire.totalLength()).isLessThanOrEqualTo(20 + 32 + 1448);
            assertThat(wire.dontFragment()).isTrue();
            assertThat(wire.ttl()).isEqualTo(63);
            // inet_gso_segment: IDs count up from the super-packet's, wrapping at 16 bits.
            assertThat(wire.identification()).isEqualTo((0xFFFE + i) & 0xFFFF);
            // Sequence numbers advance by the bytes before, modulo 2^32.
            assertThat(s.sequence()).isEqualTo((0xFFFF_F000L + 1448L * i) & 0xFFFF_FFFFL);
            assertThat(s.acknowledgment()).isEqualTo(77);
            assertThat(s.window()).isEqualTo(501);
            assertThat(s.options()).isEqualTo(TcpSegment.parse(p.payload(), 0, p.payloadLength(), A, B).options());
            boolean last = i == pieces.size() - 1;
            // tcp_gso_segment: FIN and PSH on the last segment only, CWR on the first only.
            assertThat(s.fin()).isEqualTo(last);
            assertThat(s.has(TcpSegment.PSH)).isEqualTo(last);
            assertThat(s.has(TcpSegment.CWR)).isEqualTo(i == 0);
            assertThat(s.ack()).isTrue();
            assertThat(s.payload().length).isEqualTo(last ? 10_000 - 6 * 1448 : 1448);
            joined.writeBytes(s.payload());
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
    }

    @Test
    void aSuperPacketThatFitsOneSegmentStaysWhole() {
        Ipv4Packet p = superPacket(new byte[1000], 1448);
        List<Ipv4Packet> pieces = Tso.segment(p);
        assertThat(pieces).hasSize(1);
        assertThat(pieces.get(0).gsoSize()).isZero();
        assertThat(pieces.get(0).encode()).isEqualTo(p.encode());
        Ipv4Packet plain = superPacket(new byte[5000], 1448).withGsoSize(0);
        assertThat(Tso.segment(plain)).containsExactly(plain);
    }

    @Test
    void framesKeepTheirEthernetHeaderAndMinimumLength() {
        byte[] data = new byte[1448 * 2 + 1];
        new Random(2).nextBytes(data);
        Ipv4Packet p = superPacket(data, 1448);
        byte[] frame = EthernetFrame.allocate(MAC_B, MAC_A, EthernetFrame.ETHERTYPE_IPV4, p.totalLength());
        p.encodeInto(frame, EthernetFrame.HEADER_LENGTH);

        List<byte[]> frames = Tso.segmentFrame(frame, 1448);

        assertThat(frames).hasSize(3);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            EthernetFrame e = EthernetFrame.parse(f);
            assertThat(e.destination()).isEqualTo(MAC_B);
            assertThat(e.source()).isEqualTo(MAC_A);
            assertThat(f.length).isGreaterThanOrEqualTo(EthernetFrame.MIN_FRAME_LENGTH); // the 1-byte tail is padded
            Ipv4Packet ip = Ipv4Packet.parse(f, 14, f.length - 14);
            joined.writeBytes(TcpSegment.parse(ip.payload(), 0, ip.payloadLength(), A, B).payload());
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
    }

    @Test
    void whatIsNotATcpSuperPacketIsRefusedNotCut() {
        Ipv4Packet udp = new Ipv4Packet(0, 1, false, false, 0, 64, Ipv4Packet.PROTOCOL_UDP, A, B, new byte[0],
                new byte[3000]).withGsoSize(1000);
        assertThatThrownBy(() -> Tso.segment(udp)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("TCP header");
        Ipv4Packet good = superPacket(new byte[3000], 1000);
        byte[] tcp = good.payload().clone();
        tcp[12] = 0x10; // data offset 4 bytes: below the 20-byte minimum
        Ipv4Packet badOffset = good.withPayload(tcp).withGsoSize(1000);
        assertThatThrownBy(() -> Tso.segment(badOffset)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("data offset");
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThatThrownBy(() -> Tso.segmentFrame(arp, 1000)).isInstanceOf(WireFormatException.class);
        assertThat(Tso.segmentFrameOrWhole(arp, 1000)).containsExactly(arp);
    }

    @Test
    void damagedDataIsNeverGivenFreshChecksums() {
        // A bit flipped in a super-packet (say by a corrupting link): cutting it would recompute
        // every segment's checksum over the damaged bytes, so it is refused instead.
        Ipv4Packet p = superPacket(new byte[5000], 1448);
        byte[] tcp = p.payload().clone();
        tcp[32 + 2500] ^= 0x10;
        Ipv4Packet damaged = p.withPayload(tcp).withGsoSize(1448);
        assertThatThrownBy(() -> Tso.segment(damaged)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("bad checksum");
    }

    @Test
    void theFirstSegmentAloneIsTheFirstOfAll() {
        Ipv4Packet p = superPacket(new byte[5000], 1448);
        assertThat(Tso.segmentCount(p)).isEqualTo(4);
        List<Ipv4Packet> first = Tso.segment(p, 1);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).encode()).isEqualTo(Tso.segment(p).get(0).encode());
        TcpSegment s = TcpSegment.parse(first.get(0).payload(), 0, first.get(0).payloadLength(), A, B);
        assertThat(s.fin()).isFalse(); // not the last segment, so FIN and PSH stay with the last
        assertThat(s.has(TcpSegment.PSH)).isFalse();
    }
}
