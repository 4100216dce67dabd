package dev.wirelab.netstack.offload;

import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.InternetChecksum;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.List;

/**
 * TCP segmentation offload (TSO) and its software fallback (GSO), as Linux has them.
 *
 * <p>With {@code tso on} on an interface, TCP hands IP one "super-packet" of up to about 64 KB
 * for many MSS-sized segments, marked with its {@link Ipv4Packet#gsoSize() gso size} (the MSS).
 * A real NIC cuts it into segments on the wire; a virtual one (Linux veth, a bridge, our bus)
 * passes it whole, so tcpdump on a veth and our capture both show frames far above the MTU. Where
 * a super-packet must become real segments (an interface without TSO, a VXLAN port to a Linux
 * host, a receiver that cannot take it), {@link #segment} does what the NIC would: Linux's
 * {@code tcp_gso_segment} (net/ipv4/tcp_offload.c) and {@code inet_gso_segment}.
 */
public final class Tso {

    /**
     * Largest super-packet (IPv4 total length): its Ethernet frame must still fit one VXLAN datagram
     * (65535 - 20 IP - 8 UDP - 8 VXLAN - 14 Ethernet), the bus's frame limit.
     */
    public static final int MAX_DATAGRAM = 65535 - 20 - 8 - 8 - EthernetFrame.HEADER_LENGTH;
    /**
     * Most segments one super-packet stands for: our cap (Linux's own, GSO_MAX_SEGS, is 65535, and
     * the 64 KB size limit binds first for any MSS above 1 KB).
     */
    public static final int MAX_SEGMENTS = 64;

    private Tso() {
    }

    /** The TCP header length of a TCP datagram (its data offset), or throws if it has none. */
    public static int tcpHeaderLength(Ipv4Packet p) {
        if (p.protocol() != Ipv4Packet.PROTOCOL_TCP || p.payloadLength() < 20) {
            throw new WireFormatException("tcp", "a super-packet must carry a TCP header");
        }
        int hl = ((p.payloadArray()[p.payloadOffset() + 12] & 0xFF) >>> 4) * 4;
        if (hl < 20 || hl > p.payloadLength()) {
            throw new WireFormatException("tcp", "bad data offset " + hl + " in a super-packet");
        }
        return hl;
    }

    /**
     * The IPv4 total length of each full segment a super-packet stands for: what must fit the MTU
     * of the link it is finally cut for (Linux's skb_gso_validate_network_len).
     */
    public static int segmentDatagramLength(Ipv4Packet p) {
        return p.headerLength() + tcpHeaderLength(p) + p.gsoSize();
    }

    /** How many segments a super-packet stands for (1 for an ordinary datagram). */
    public static int segmentCount(Ipv4Packet p) {
        if (p.gsoSize() == 0) {
            return 1;
        }
        int data = p.payloadLength() - tcpHeaderLength(p);
        return Math.max(1, (data + p.gsoSize() - 1) / p.gsoSize());
    }

    /**
     * Cuts a super-packet into the datagrams a NIC would send: each carries {@code gsoSize} payload
     * bytes (the last one the rest) behind a copy of the TCP header, with
     * <ul>
     *   <li>the sequence number advanced by the bytes before it;</li>
     *   <li>FIN and PSH only on the last segment, CWR only on the first (tcp_gso_segment);</li>
     *   <li>IP identification counting up from the super-packet's (inet_gso_segment without
     *       fixed IDs), the other IP fields kept;</li>
     *   <li>fresh TCP and IP checksums (RFC 9293 section 3.1, RFC 791 section 3.1).</li>
     * </ul>
     * Each result has room for the Ethernet header in front ({@link Ipv4Packet#takeFrameHeadroom}).
     * A datagram without a gso size comes back alone.
     *
     * <p>The super-packet's own TCP checksum is verified first: fresh checksums must never make
     * damaged data look whole (in Linux a GSO packet only ever holds data a stack checksummed).
     *
     * @throws WireFormatException when the super-packet is not a well-formed TCP datagram, or its
     *                             checksum is wrong
     */
    public static List<Ipv4Packet> segment(Ipv4Packet p) {
        return segment(p, Integer.MAX_VALUE);
    }

    /** {@link #segment}, only the first {@code limit} segments (e.g. the one an ICMP error quotes). */
    public static List<Ipv4Packet> segment(Ipv4Packet p, int limit) {
        int gso = p.gsoSize();
        if (gso == 0) {
            return List.of(p);
        }
        int thl = tcpHeaderLength(p);
        byte[] a = p.payloadArray();
        int tcp = p.payloadOffset();
        int data = p.payloadLength() - thl;
        if (!TcpSegment.checksumValid(a, tcp, p.payloadLength(), p.source(), p.destination())) {
            throw new WireFormatException("tcp", "bad checksum in a super-packet of " + p.payloadLength() + " bytes");
        }
        if (data <= gso) {
            return List.of(p.withGsoSize(0));
        }
        long seq = readI32(a, tcp + 4) & 0xFFFFFFFFL;
        int flags = readU16(a, tcp + 12) & 0x0FFF;
        int total = segmentCount(p);
        int count = Math.min(total, limit);
        List<Ipv4Packet> out = new ArrayList<>(count);
        int ipHeader = p.headerLength();
        int headroom = EthernetFrame.HEADER_LENGTH + ipHeader;
        for (int i = 0; i < count; i++) {
            int off = i * gso;
            int n = Math.min(gso, data - off);
            boolean last = i == total - 1;
            byte[] b = new byte[Math.max(headroom + thl + n, EthernetFrame.MIN_FRAME_LENGTH)];
            System.arraycopy(a, tcp, b, headroom, thl);
            System.arraycopy(a, tcp + thl + off, b, headroom + thl, n);
            writeI32(b, headroom + 4, (int) (seq + off));
            int f = flags;
            if (!last) {
                f &= ~(0x01 | 0x08); // FIN, PSH
            }
            if (i > 0) {
                f &= ~0x80; // CWR
            }
            writeU16(b, headroom + 12, (thl / 4) << 12 | f);
            writeU16(b, headroom + 16, 0);
            long sum = InternetChecksum.pseudoHeader(p.source(), p.destination(), Ipv4Packet.PROTOCOL_TCP, thl + n);
            writeU16(b, headroom + 16, InternetChecksum.finish(InternetChecksum.add(sum, b, headroom, thl + n)));
            out.add(Ipv4Packet.view(p.tos(), (p.identification() + i) & 0xFFFF, p.dontFragment(), p.ttl(),
                    Ipv4Packet.PROTOCOL_TCP, p.source(), p.destination(), p.options(), b, headroom, thl + n));
        }
        return out;
    }

    /**
     * {@link #segment} for a whole untagged Ethernet frame holding a super-packet: the frames a NIC
     * would put on the wire, each with the original Ethernet header.
     *
     * @throws WireFormatException when the frame does not hold a well-formed TCP super-packet
     */
    public static List<byte[]> segmentFrame(byte[] frame, int gsoSize) {
        EthernetFrame eth = EthernetFrame.parseHeader(frame);
        if (eth.etherType() != EthernetFrame.ETHERTYPE_IPV4 || eth.headerLength() != EthernetFrame.HEADER_LENGTH) {
            throw new WireFormatException("ethernet", "a super-packet frame must be untagged IPv4");
        }
        int hl = EthernetFrame.HEADER_LENGTH;
        Ipv4Packet p = Ipv4Packet.parse(frame, hl, frame.length - hl).withGsoSize(gsoSize);
        List<Ipv4Packet> pieces = segment(p);
        List<byte[]> out = new ArrayList<>(pieces.size());
        for (Ipv4Packet piece : pieces) {
            byte[] f;
            if (piece.takeFrameHeadroom()) {
                f = piece.payloadArray();
            } else {
                f = new byte[Math.max(hl + piece.totalLength(), EthernetFrame.MIN_FRAME_LENGTH)];
                System.arraycopy(piece.payloadArray(), piece.payloadOffset(), f, hl + piece.headerLength(),
                        piece.payloadLength());
            }
            System.arraycopy(frame, 0, f, 0, hl);
            piece.writeHeader(f, hl);
            out.add(f);
        }
        return out;
    }

    /**
     * {@link #segmentFrame}, or the frame alone when it cannot be cut (not a well-formed TCP
     * super-packet): whoever receives it then counts it as malformed, as for any bad frame.
     */
    public static List<byte[]> segmentFrameOrWhole(byte[] frame, int gsoSize) {
        try {
            return segmentFrame(frame, gsoSize);
        } catch (WireFormatException e) {
            return List.of(frame);
        }
    }

    private static int readU16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    private static int readI32(byte[] b, int off) {
        return readU16(b, off) << 16 | readU16(b, off + 2);
    }

    private static void writeU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void writeI32(byte[] b, int off, int v) {
        writeU16(b, off, v >>> 16);
        writeU16(b, off + 2, v);
    }
}
