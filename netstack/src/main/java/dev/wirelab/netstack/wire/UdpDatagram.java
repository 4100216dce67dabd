package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * A UDP datagram (RFC 768):
 * <pre>
 *  source port (16) | destination port (16) | length (16) | checksum (16) | data
 * </pre>
 * The checksum covers an IPv4 pseudo-header (source, destination, zero, protocol 17, UDP length), so
 * parsing and encoding need the IP addresses. The payload is not copied: callers must not mutate it.
 */
public record UdpDatagram(int sourcePort, int destinationPort, byte[] payload) {

    public static final int HEADER_LENGTH = 8;
    public static final int MAX_PAYLOAD_LENGTH = 0xFFFF - HEADER_LENGTH;

    public UdpDatagram {
        Objects.requireNonNull(payload, "payload");
        if ((sourcePort & ~0xFFFF) != 0 || (destinationPort & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("ports must fit in 16 bits: " + sourcePort + ", " + destinationPort);
        }
        if (payload.length > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("UDP payload of " + payload.length + " bytes exceeds the 16-bit length");
        }
    }

    /**
     * Parses the datagram in the {@code len} bytes at {@code off} (the IPv4 payload), verifying its checksum
     * unless the sender sent none.
     *
     * <p>RFC 768: "Length is the length in octets of this user datagram including this header and the
     * data. (This means the minimum value of the length is eight.)" A length field above {@code len} is
     * refused (the datagram was cut); bytes past a smaller length field are ignored, as Linux does.
     */
    public static UdpDatagram parse(byte[] b, int off, int len, Ipv4Address src, Ipv4Address dst) {
        Bytes.checkBounds("udp", b, off, len);
        if (!(src != null && dst != null)) {
            throw new WireFormatException("udp", "no pseudo-header addresses");
        }
        if (len < HEADER_LENGTH) {
            throw new WireFormatException("udp", "datagram of " + len + " bytes is shorter than the 8-byte header");
        }
        int length = Bytes.readU16(b, off + 4);
        if (length < HEADER_LENGTH) {
            throw new WireFormatException("udp", "length field " + length + " is below the minimum of 8");
        }
        if (length > len) {
            throw new WireFormatException("udp", "length field " + length + " exceeds the " + len + " bytes received");
        }
        int transmitted = Bytes.readU16(b, off + 6);
        // RFC 768: "An all zero transmitted checksum value means that the transmitter generated no
        // checksum (for debugging or for higher level protocols that don't care)."
        if (transmitted != 0) {
            long sum = InternetChecksum.pseudoHeader(src, dst, Ipv4Packet.PROTOCOL_UDP, length);
            if (InternetChecksum.finish(InternetChecksum.add(sum, b, off, length)) != 0) {
                throw new WireFormatException("udp", "bad checksum " + Bytes.hex16(transmitted)
                        + " (expected " + Bytes.hex16(checksum(src, dst, b, off, length)) + ")");
            }
        }
        return new UdpDatagram(Bytes.readU16(b, off), Bytes.readU16(b, off + 2),
                Arrays.copyOfRange(b, off + HEADER_LENGTH, off + length));
    }

    /**
     * RFC 768: "Checksum is the 16-bit one's complement of the one's complement sum of a pseudo header of
     * information from the IP header, the UDP header, and the data, padded with zero octets at the end (if
     * necessary) to make a multiple of two octets." Computed with the checksum field taken as zero.
     */
    private static int checksum(Ipv4Address src, Ipv4Address dst, byte[] b, int off, int length) {
        long sum = InternetChecksum.pseudoHeader(src, dst, Ipv4Packet.PROTOCOL_UDP, length);
        sum = InternetChecksum.add(sum, b, off, 6);
        sum = InternetChecksum.add(sum, b, off + HEADER_LENGTH, length - HEADER_LENGTH);
        return InternetChecksum.finish(sum);
    }

    /** The datagram bytes with the checksum computed for the given IPv4 source and destination. */
    public byte[] encode(Ipv4Address src, Ipv4Address dst) {
        byte[] out = encodeWithoutChecksum();
        int c = checksum(src, dst, out, 0, out.length);
        // RFC 768: "If the computed checksum is zero, it is transmitted as all ones (the equivalent in
        // one's complement arithmetic)." -- zero on the wire means "no checksum".
        Bytes.writeU16(out, 6, c == 0 ? 0xFFFF : c);
        return out;
    }

    /** The datagram bytes with a zero checksum field: "no checksum" (RFC 768), e.g. for tests. */
    public byte[] encodeWithoutChecksum() {
        byte[] out = new byte[length()];
        Bytes.writeU16(out, 0, sourcePort);
        Bytes.writeU16(out, 2, destinationPort);
        Bytes.writeU16(out, 4, out.length);
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        return out;
    }

    /** Header plus data, the value of the length field. */
    public int length() {
        return HEADER_LENGTH + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpDatagram d && sourcePort == d.sourcePort && destinationPort == d.destinationPort
                && Arrays.equals(payload, d.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourcePort, destinationPort, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "UdpDatagram[" + sourcePort + " > " + destinationPort + ", " + payload.length + " payload bytes]";
    }
}
