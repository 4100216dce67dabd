package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * An ICMPv4 message (RFC 792):
 * <pre>
 *  type (8) | code (8) | checksum (16) | rest of header (32) | body
 * </pre>
 * The rest of header is identifier and sequence number for echo, unused (zero) for time exceeded and
 * destination unreachable, except fragmentation needed where its low 16 bits carry the next-hop MTU
 * (RFC 1191 section 4). For error messages the body is the quoted original datagram. Unknown types
 * and codes are kept as values. The body is not copied: callers must not mutate it.
 */
public record IcmpMessage(int type, int code, int restOfHeader, byte[] body) {

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    // Destination unreachable codes (RFC 792; 5..15 from RFC 1122 section 3.2.2.1 and RFC 1812 section 5.2.7.1).
    public static final int NET_UNREACHABLE = 0;
    public static final int HOST_UNREACHABLE = 1;
    public static final int PROTOCOL_UNREACHABLE = 2;
    public static final int PORT_UNREACHABLE = 3;
    public static final int FRAGMENTATION_NEEDED = 4;
    public static final int SOURCE_ROUTE_FAILED = 5;
    public static final int DESTINATION_NETWORK_UNKNOWN = 6;
    public static final int DESTINATION_HOST_UNKNOWN = 7;
    public static final int COMMUNICATION_ADMINISTRATIVELY_PROHIBITED = 13;

    // Time exceeded codes (RFC 792).
    public static final int TTL_EXCEEDED_IN_TRANSIT = 0;
    public static final int FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    public static final int HEADER_LENGTH = 8;
    /** RFC 792: errors quote the "Internet Header + 64 bits of Original Data Datagram". */
    public static final int QUOTED_DATA_LENGTH = 8;
    /**
     * RFC 1812 section 4.3.2.3: the ICMP error datagram "SHOULD contain as much of the original datagram
     * as possible without the length of the ICMP datagram exceeding 576 bytes".
     */
    public static final int MAX_ERROR_DATAGRAM_LENGTH = 576;

    public IcmpMessage {
        Objects.requireNonNull(body, "body");
        if ((type & ~0xFF) != 0 || (code & ~0xFF) != 0) {
            throw new IllegalArgumentException("ICMP type and code must fit in 8 bits: " + type + "/" + code);
        }
    }

    /** RFC 792 "Echo or Echo Reply Message": identifier and sequence number help match replies to requests. */
    public static IcmpMessage echoRequest(int id, int seq, byte[] data) {
        return new IcmpMessage(TYPE_ECHO_REQUEST, 0, idSeq(id, seq), data);
    }

    /** RFC 792: "The data received in the echo message must be returned in the echo reply message." */
    public static IcmpMessage echoReply(int id, int seq, byte[] data) {
        return new IcmpMessage(TYPE_ECHO_REPLY, 0, idSeq(id, seq), data);
    }

    /** A destination unreachable quoting {@code quoted} (see {@link #quote(byte[])}); unused field zero. */
    public static IcmpMessage destinationUnreachable(int code, byte[] quoted) {
        return new IcmpMessage(TYPE_DESTINATION_UNREACHABLE, code, 0, quoted);
    }

    /**
     * Destination unreachable, fragmentation needed and DF set. RFC 1191 section 4: "The router MUST
     * include the MTU of that next-hop network in the low-order 16 bits of the ICMP header field that is
     * labelled 'unused' in the ICMP specification. The high-order 16 bits remain unused, and MUST be set
     * to zero."
     */
    public static IcmpMessage fragmentationNeeded(int nextHopMtu, byte[] quoted) {
        if ((nextHopMtu & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("next-hop MTU must fit in 16 bits: " + nextHopMtu);
        }
        return new IcmpMessage(TYPE_DESTINATION_UNREACHABLE, FRAGMENTATION_NEEDED, nextHopMtu, quoted);
    }

    /** Time exceeded ({@link #TTL_EXCEEDED_IN_TRANSIT} or {@link #FRAGMENT_REASSEMBLY_TIME_EXCEEDED}). */
    public static IcmpMessage timeExceeded(int code, byte[] quoted) {
        return new IcmpMessage(TYPE_TIME_EXCEEDED, code, 0, quoted);
    }

    private static int idSeq(int id, int seq) {
        if ((id & ~0xFFFF) != 0 || (seq & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("echo identifier and sequence must fit in 16 bits: " + id + "/" + seq);
        }
        return id << 16 | seq;
    }

    /** Parses and verifies a message of exactly {@code len} bytes (the IPv4 payload). */
    public static IcmpMessage parse(byte[] b, int off, int len) {
        Bytes.checkBounds("icmp", b, off, len);
        if (len < HEADER_LENGTH) {
            throw new WireFormatException("icmp", "message of " + len + " bytes is shorter than the 8-byte header");
        }
        // RFC 792: "The checksum is the 16-bit ones's complement of the one's complement sum of the ICMP
        // message starting with the ICMP Type." The sum over an intact message, checksum included, is zero.
        if (InternetChecksum.compute(b, off, len) != 0) {
            throw new WireFormatException("icmp", "bad checksum " + Bytes.hex16(Bytes.readU16(b, off + 2))
                    + " (expected " + Bytes.hex16(checksum(b, off, len)) + ")");
        }
        return new IcmpMessage(b[off] & 0xFF, b[off + 1] & 0xFF, Bytes.readI32(b, off + 4),
                Arrays.copyOfRange(b, off + HEADER_LENGTH, off + len));
    }

    /** The checksum of the message at {@code off}, computed with the checksum field taken as zero. */
    private static int checksum(byte[] b, int off, int len) {
        long sum = InternetChecksum.add(0, b, off, 2);
        sum = InternetChecksum.add(sum, b, off + 4, len - 4);
        return InternetChecksum.finish(sum);
    }

    /** The message bytes with a freshly computed checksum. */
    public byte[] encode() {
        byte[] out = new byte[HEADER_LENGTH + body.length];
        out[0] = (byte) type;
        out[1] = (byte) code;
        Bytes.writeI32(out, 4, restOfHeader);
        System.arraycopy(body, 0, out, HEADER_LENGTH, body.length);
        Bytes.writeU16(out, 2, checksum(out, 0, out.length));
        return out;
    }

    public int length() {
        return HEADER_LENGTH + body.length;
    }

    /** Echo identifier: the high 16 bits of the rest of header. */
    public int identifier() {
        return restOfHeader >>> 16;
    }

    /** Echo sequence number: the low 16 bits of the rest of header. */
    public int sequence() {
        return restOfHeader & 0xFFFF;
    }

    /** Next-hop MTU of a fragmentation-needed message (RFC 1191 section 4), 0 from pre-RFC 1191 routers. */
    public int nextHopMtu() {
        return restOfHeader & 0xFFFF;
    }

    public boolean isEchoRequest() {
        return type == TYPE_ECHO_REQUEST;
    }

    public boolean isEchoReply() {
        return type == TYPE_ECHO_REPLY;
    }

    /**
     * RFC 1122 section 3.2.2: the error messages are Destination Unreachable, Redirect, Source Quench,
     * Time Exceeded and Parameter Problem; they quote the datagram that caused them.
     */
    public boolean isError() {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_REDIRECT || type == TYPE_SOURCE_QUENCH
                || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    /**
     * The datagram quoted by an error message, parsed leniently ({@link Ipv4Packet#parseQuoted}); its
     * payload holds the quoted data only (usually the first 8 bytes).
     *
     * @throws WireFormatException when the body does not hold a whole IPv4 header
     * @throws IllegalStateException when this is not an error message
     */
    public Ipv4Packet quotedPacket() {
        if (!isError()) {
            throw new IllegalStateException("ICMP type " + type + " is not an error message and quotes nothing");
        }
        return Ipv4Packet.parseQuoted(body, 0, body.length);
    }

    /**
     * What an error about {@code ipDatagram} quotes: its IP header plus the first 8 bytes of its data
     * (RFC 792; RFC 1122 section 3.2.2). Bytes past the datagram's total length (link padding) are never
     * quoted.
     *
     * @throws WireFormatException when {@code ipDatagram} does not start with a whole IPv4 header
     */
    public static byte[] quote(byte[] ipDatagram) {
        if (ipDatagram == null) {
            throw new WireFormatException("icmp", "no datagram to quote");
        }
        Ipv4Packet header = Ipv4Packet.parseQuoted(ipDatagram, 0, ipDatagram.length);
        return quote(ipDatagram, header.headerLength() + QUOTED_DATA_LENGTH);
    }

    /**
     * The first {@code maxLength} bytes of {@code ipDatagram} (but never past its total length), for routers
     * that quote more than RFC 792 requires (RFC 1812 section 4.3.2.3: up to a 576-byte ICMP datagram, i.e.
     * {@code MAX_ERROR_DATAGRAM_LENGTH - 20 - 8} quoted bytes without IP options).
     */
    public static byte[] quote(byte[] ipDatagram, int maxLength) {
        if (ipDatagram == null) {
            throw new WireFormatException("icmp", "no datagram to quote");
        }
        Ipv4Packet header = Ipv4Packet.parseQuoted(ipDatagram, 0, ipDatagram.length);
        int n = Math.min(Math.max(maxLength, header.headerLength()), header.totalLength());
        return Arrays.copyOf(ipDatagram, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpMessage m && type == m.type && code == m.code && restOfHeader == m.restOfHeader
                && Arrays.equals(body, m.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, code, restOfHeader, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "IcmpMessage[type " + type + ", code " + code + ", rest " + String.format("0x%08x", restOfHeader)
                + ", " + body.length + " body bytes]";
    }
}
