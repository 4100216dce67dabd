package dev.wirelab.netstack.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A TCP segment (RFC 9293 section 3.1):
 * <pre>
 *  source port (16) | destination port (16)
 *  sequence number (32)
 *  acknowledgment number (32)
 *  data offset (4) | reserved (4) | CWR ECE URG ACK PSH RST SYN FIN (8) | window (16)
 *  checksum (16) | urgent pointer (16)
 *  options (data offset * 4 - 20) | data
 * </pre>
 * Options are kept as the raw header bytes (padded to a multiple of 4, at most 40) so that a
 * segment re-encodes to exactly the bytes it was parsed from; typed accessors read MSS, window
 * scale, SACK-permitted and timestamps out of them, and {@link Options} writes them. Sequence and
 * acknowledgment numbers are unsigned 32-bit values held in a {@code long}. The arrays are not
 * copied: callers must not mutate them after handing them over. (A class rather than a record so
 * that a parsed segment's data can stay in the frame it came in.)
 */
public final class TcpSegment extends PayloadView {


    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    /** RFC 3168 section 6.1: ECN-Echo. */
    public static final int ECE = 0x40;
    /** RFC 3168 section 6.1: Congestion Window Reduced. */
    public static final int CWR = 0x80;

    public static final int HEADER_LENGTH = 20;
    public static final int MAX_OPTIONS_LENGTH = 40;

    /** Option kinds (IANA "TCP Option Kind Numbers"). */
    public static final int OPT_EOL = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WINDOW_SCALE = 3;
    public static final int OPT_SACK_PERMITTED = 4;
    public static final int OPT_SACK = 5;
    public static final int OPT_TIMESTAMPS = 8;

    private static final String P = "tcp";

    private final int sourcePort;
    private final int destinationPort;
    private final long sequence;
    private final long acknowledgment;
    private final int flags;
    private final int window;
    private final int urgentPointer;
    private final byte[] options;

    /**
     * @param flags the 12 bits after the data offset: the eight flags of RFC 9293 (plus RFC 3168's
     *              ECE/CWR) in the low byte, the reserved bits above (zero when we send)
     */
    public TcpSegment(int sourcePort, int destinationPort, long sequence, long acknowledgment, int flags,
                      int window, int urgentPointer, byte[] options, byte[] payload) {
        this(sourcePort, destinationPort, sequence, acknowledgment, flags, window, urgentPointer, options,
                Objects.requireNonNull(payload, "payload"), 0, payload.length);
        this.payload = payload;
    }

    private TcpSegment(int sourcePort, int destinationPort, long sequence, long acknowledgment, int flags,
                       int window, int urgentPointer, byte[] options, byte[] payloadArray, int payloadOffset,
                       int payloadLength) {
        super(payloadArray, payloadOffset, payloadLength);
        Objects.requireNonNull(options, "options");
        if ((sourcePort & ~0xFFFF) != 0 || (destinationPort & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("ports must fit in 16 bits: " + sourcePort + ", " + destinationPort);
        }
        if ((sequence & ~0xFFFFFFFFL) != 0 || (acknowledgment & ~0xFFFFFFFFL) != 0) {
            throw new IllegalArgumentException("sequence/acknowledgment must be unsigned 32-bit: " + sequence + ", "
                    + acknowledgment);
        }
        if ((flags & ~0xFFF) != 0 || (window & ~0xFFFF) != 0 || (urgentPointer & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("flags (12 bits), window and urgent pointer (16 bits) out of range");
        }
        if (options.length % 4 != 0 || options.length > MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException("options must be padded to a multiple of 4 bytes, at most 40: "
                    + options.length);
        }
            this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        this.sequence = sequence;
        this.acknowledgment = acknowledgment;
        this.flags = flags;
        this.window = window;
        this.urgentPointer = urgentPointer;
        this.options = options;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    /** Unsigned 32-bit. */
    public long sequence() {
        return sequence;
    }

    /** Unsigned 32-bit. */
    public long acknowledgment() {
        return acknowledgment;
    }

    /** The 12 bits after the data offset (flags in the low byte). */
    public int flags() {
        return flags;
    }

    public int window() {
        return window;
    }

    public int urgentPointer() {
        return urgentPointer;
    }

    /** The raw option bytes (do not modify). */
    public byte[] options() {
        return options;
    }


    /** A segment without options. */
    public static TcpSegment of(int sourcePort, int destinationPort, long sequence, long acknowledgment, int flags,
                                int window, byte[] payload) {
        return new TcpSegment(sourcePort, destinationPort, sequence, acknowledgment, flags, window, 0, new byte[0],
                payload);
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Parses and verifies the segment in the {@code len} bytes at {@code off} (the whole IPv4
     * payload): the checksum over the pseudo-header (RFC 9293 section 3.1: source, destination,
     * zero, protocol 6, TCP length), the data offset, and the structure of the options.
     */
    public static TcpSegment parse(byte[] b, int off, int len, Ipv4Address src, Ipv4Address dst) {
        Bytes.checkBounds(P, b, off, len);
        if (!(src != null && dst != null)) {
            throw new WireFormatException(P, "no pseudo-header addresses");
        }
        if (len < HEADER_LENGTH) {
            throw new WireFormatException(P, "segment of " + len + " bytes is shorter than the 20-byte header");
        }
        if (!checksumValid(b, off, len, src, dst)) {
            throw new WireFormatException(P, "bad checksum " + Bytes.hex16(Bytes.readU16(b, off + 16))
                    + " (expected " + Bytes.hex16(checksum(src, dst, b, off, len)) + ")");
        }
        return parseUnchecked(b, off, len);
    }

    /** True when the checksum of the segment at {@code off} is right (RFC 9293 section 3.1). */
    public static boolean checksumValid(byte[] b, int off, int len, Ipv4Address src, Ipv4Address dst) {
        Bytes.checkBounds(P, b, off, len);
        long sum = InternetChecksum.pseudoHeader(src, dst, Ipv4Packet.PROTOCOL_TCP, len);
        return InternetChecksum.finish(InternetChecksum.add(sum, b, off, len)) == 0;
    }

    /**
     * Parses the header without looking at the checksum, e.g. the first 8 bytes quoted in an ICMP
     * error are read with {@link #readPorts} instead; this is for captures whose checksum the
     * sender left to the NIC.
     */
    public static TcpSegment parseUnchecked(byte[] b, int off, int len) {
        Bytes.checkBounds(P, b, off, len);
        if (len < HEADER_LENGTH) {
            throw new WireFormatException(P, "segment of " + len + " bytes is shorter than the 20-byte header");
        }
        int word = Bytes.readU16(b, off + 12);
        // RFC 9293 section 3.1: "Data Offset: 4 bits ... The TCP header (even one including options)
        // is an integer multiple of 32 bits long." At least 5 words, and it must lie within the segment.
        int dataOffset = (word >>> 12) * 4;
        if (dataOffset < HEADER_LENGTH) {
            throw new WireFormatException(P, "data offset " + (dataOffset / 4) + " is below the minimum of 5");
        }
        if (dataOffset > len) {
            throw new WireFormatException(P,
                    "data offset of " + dataOffset + " bytes exceeds the " + len + " bytes received");
        }
        byte[] options = Arrays.copyOfRange(b, off + HEADER_LENGTH, off + dataOffset);
        validateOptions(options);
        return new TcpSegment(Bytes.readU16(b, off), Bytes.readU16(b, off + 2),
                Bytes.readI32(b, off + 4) & 0xFFFFFFFFL, Bytes.readI32(b, off + 8) & 0xFFFFFFFFL,
                word & 0xFFF, Bytes.readU16(b, off + 14), Bytes.readU16(b, off + 18), options,
                b, off + dataOffset, len - dataOffset);
    }

    /**
     * RFC 9293 section 3.1 options: "Case 1: A single octet of option-kind. Case 2: An octet of
     * option-kind (Kind), an octet of option-length, and the actual option-data octets. The
     * option-length counts the two octets of option-kind and option-length as well as the
     * option-data octets." End of Option List ends the list; what follows is padding. Known kinds
     * must have their defined length (RFC 9293 for MSS, RFC 7323 for window scale and timestamps,
     * RFC 2018 for SACK); unknown kinds are kept (RFC 9293 section 3.1: "a TCP implementation MUST be
     * able to ... ignore ... any option it does not implement", MUST-68).
     */
    private static void validateOptions(byte[] o) {
        int i = 0;
        while (i < o.length) {
            int kind = o[i] & 0xFF;
            if (kind == OPT_EOL) {
                return;
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= o.length) {
                throw new WireFormatException(P, "option kind " + kind + " has no length octet");
            }
            int length = o[i + 1] & 0xFF;
            if (length < 2) {
                throw new WireFormatException(P, "option kind " + kind + " has length " + length + " (< 2)");
            }
            if (i + length > o.length) {
                throw new WireFormatException(P,
                        "option kind " + kind + " of length " + length + " runs past the header");
            }
            int expected = switch (kind) {
                case OPT_MSS -> 4;
                case OPT_WINDOW_SCALE -> 3;
                case OPT_SACK_PERMITTED -> 2;
                case OPT_TIMESTAMPS -> 10;
                default -> -1;
            };
            if (!(expected < 0 || length == expected)) {
                throw new WireFormatException(P,
                        "option kind " + kind + " has length " + length + ", must be " + expected);
            }
            if (!(kind != OPT_SACK || (length - 2) % 8 == 0 && length > 2)) {
                throw new WireFormatException(P, "SACK option length " + length + " is not 2 + 8n");
            }
            i += length;
        }
    }

    /** Source and destination port of a (possibly quoted, truncated) TCP header. */
    public static int[] readPorts(byte[] b, int off, int len) {
        Bytes.checkBounds(P, b, off, len);
        if (len < 4) {
            throw new WireFormatException(P, "fewer than 4 bytes: no ports");
        }
        return new int[] {Bytes.readU16(b, off), Bytes.readU16(b, off + 2)};
    }

    // ------------------------------------------------------------------ encoding

    /** Header length in bytes (the data offset field times 4). */
    public int headerLength() {
        return HEADER_LENGTH + options.length;
    }

    /** The segment bytes with the checksum computed for the given IPv4 source and destination. */
    public byte[] encode(Ipv4Address src, Ipv4Address dst) {
        byte[] out = new byte[headerLength() + payloadLength];
        encodeInto(out, 0, src, dst);
        return out;
    }

    /** Writes the segment ({@code headerLength() + payloadLength()} bytes) at {@code off}, checksum computed. */
    public void encodeInto(byte[] out, int off, Ipv4Address src, Ipv4Address dst) {
        System.arraycopy(payloadArray, payloadOffset, out, off + headerLength(), payloadLength);
        encodeHeaderInto(out, off, payloadLength, src, dst);
    }

    /**
     * Writes this segment's header (with options) at {@code off} of {@code out} for {@code dataLength}
     * bytes of data the caller has already put right behind it (at {@code off + headerLength()}),
     * with the checksum over both; this segment's own payload is not used. The one-copy transmit
     * path of a stack that builds its frame around data taken from its send buffer.
     */
    public void encodeHeaderInto(byte[] out, int off, int dataLength, Ipv4Address src, Ipv4Address dst) {
        int hl = headerLength();
        Bytes.writeU16(out, off, sourcePort);
        Bytes.writeU16(out, off + 2, destinationPort);
        Bytes.writeI32(out, off + 4, (int) sequence);
        Bytes.writeI32(out, off + 8, (int) acknowledgment);
        Bytes.writeU16(out, off + 12, (hl / 4) << 12 | flags);
        Bytes.writeU16(out, off + 14, window);
        Bytes.writeU16(out, off + 18, urgentPointer);
        System.arraycopy(options, 0, out, off + HEADER_LENGTH, options.length);
        Bytes.writeU16(out, off + 16, checksum(src, dst, out, off, hl + dataLength));
    }

    /**
     * RFC 9293 section 3.1: "The checksum field is the 16-bit ones' complement of the ones'
     * complement sum of all 16-bit words in the header and text", with the pseudo-header, the
     * checksum field taken as zero.
     */
    private static int checksum(Ipv4Address src, Ipv4Address dst, byte[] b, int off, int len) {
        long sum = InternetChecksum.pseudoHeader(src, dst, Ipv4Packet.PROTOCOL_TCP, len);
        sum = InternetChecksum.add(sum, b, off, 16);
        sum = InternetChecksum.add(sum, b, off + 18, len - 18);
        return InternetChecksum.finish(sum);
    }

    // ------------------------------------------------------------------ flags and lengths

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean syn() {
        return has(SYN);
    }

    public boolean fin() {
        return has(FIN);
    }

    public boolean rst() {
        return has(RST);
    }

    public boolean ack() {
        return has(ACK);
    }

    /** SEG.LEN (RFC 9293 section 3.3.1): data octets plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + (syn() ? 1 : 0) + (fin() ? 1 : 0);
    }

    /** tcpdump's flag letters: S F R P . U E W (ACK is "."). */
    public String flagString() {
        StringBuilder s = new StringBuilder();
        if (syn()) {
            s.append('S');
        }
        if (fin()) {
            s.append('F');
        }
        if (rst()) {
            s.append('R');
        }
        if (has(PSH)) {
            s.append('P');
        }
        if (has(URG)) {
            s.append('U');
        }
        if (has(ECE)) {
            s.append('E');
        }
        if (has(CWR)) {
            s.append('W');
        }
        if (ack()) {
            s.append('.');
        }
        return s.isEmpty() ? "none" : s.toString();
    }

    // ------------------------------------------------------------------ typed options

    /** One option as found in the header (NOP and EOL included, padding after EOL not). */
    public record Option(int kind, byte[] data) {
        public Option {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Option x && kind == x.kind && Arrays.equals(data, x.data);
        }

        @Override
        public int hashCode() {
            return 31 * kind + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Option[kind=" + kind + ", " + data.length + " bytes]";
        }
    }

    /** RFC 7323 section 3: TSval and TSecr, unsigned 32-bit. */
    public record Timestamps(long value, long echoReply) {
    }

    /** The options in header order. */
    public List<Option> optionList() {
        List<Option> out = new ArrayList<>();
        int i = 0;
        while (i < options.length) {
            int kind = options[i] & 0xFF;
            if (kind == OPT_EOL) {
                out.add(new Option(OPT_EOL, new byte[0]));
                break;
            }
            if (kind == OPT_NOP) {
                out.add(new Option(OPT_NOP, new byte[0]));
                i++;
                continue;
            }
            if (i + 1 >= options.length) {
                break;
            }
            int length = options[i + 1] & 0xFF;
            if (length < 2 || i + length > options.length) {
                break;
            }
            out.add(new Option(kind, Arrays.copyOfRange(options, i + 2, i + length)));
            i += length;
        }
        return out;
    }

    /**
     * Where the first option of {@code kind} starts in {@link #options} (its kind byte), walking the
     * list as {@link #optionList()} does (RFC 9293 section 3.1: EOL ends it, NOP is one byte, other
     * options carry their length), or -1. Read in place: this runs for every segment.
     */
    private int find(int kind) {
        byte[] o = options;
        int i = 0;
        while (i < o.length) {
            int k = o[i] & 0xFF;
            if (k == OPT_EOL) {
                return -1;
            }
            if (k == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= o.length) {
                return -1;
            }
            int length = o[i + 1] & 0xFF;
            if (length < 2 || i + length > o.length) {
                return -1;
            }
            if (k == kind) {
                return i;
            }
            i += length;
        }
        return -1;
    }

    /** The data length of the option at {@code at} (from {@link #find}). */
    private int dataLength(int at) {
        return (options[at + 1] & 0xFF) - 2;
    }

    /** RFC 9293 section 3.7.1: the MSS option's value, or -1 when absent. */
    public int mss() {
        int at = find(OPT_MSS);
        return at < 0 || dataLength(at) != 2 ? -1 : Bytes.readU16(options, at + 2);
    }

    /** RFC 7323 section 2.2: the shift count, or -1 when absent (values above 14 are the receiver's to clamp). */
    public int windowScale() {
        int at = find(OPT_WINDOW_SCALE);
        return at < 0 || dataLength(at) != 1 ? -1 : options[at + 2] & 0xFF;
    }

    /** RFC 2018 section 2: SACK-permitted present. */
    public boolean sackPermitted() {
        return find(OPT_SACK_PERMITTED) >= 0;
    }

    /** RFC 7323 section 3.2: the timestamps option, or null when absent. */
    public Timestamps timestamps() {
        int at = find(OPT_TIMESTAMPS);
        if (at < 0 || dataLength(at) != 8) {
            return null;
        }
        return new Timestamps(Bytes.readI32(options, at + 2) & 0xFFFFFFFFL, Bytes.readI32(options, at + 6) & 0xFFFFFFFFL);
    }

    /** Writes options in the layout Linux uses, padded with NOPs to a 4-byte boundary as it does. */
    public static final class Options {
        private final byte[] buf = new byte[MAX_OPTIONS_LENGTH];
        private int n;

        public Options mss(int mss) {
            put(OPT_MSS, 4);
            buf[n++] = (byte) (mss >>> 8);
            buf[n++] = (byte) mss;
            return this;
        }

        public Options nop() {
            put1(OPT_NOP);
            return this;
        }

        public Options sackPermitted() {
            put(OPT_SACK_PERMITTED, 2);
            return this;
        }

        public Options windowScale(int shift) {
            put(OPT_WINDOW_SCALE, 3);
            buf[n++] = (byte) shift;
            return this;
        }

        public Options timestamps(long value, long echoReply) {
            put(OPT_TIMESTAMPS, 10);
            Bytes.writeI32(buf, n, (int) value);
            Bytes.writeI32(buf, n + 4, (int) echoReply);
            n += 8;
            return this;
        }

        /** Any option, e.g. an unknown kind in tests. */
        public Options raw(int kind, byte[] data) {
            put(kind, 2 + data.length);
            System.arraycopy(data, 0, buf, n, data.length);
            n += data.length;
            return this;
        }

        private void put1(int kind) {
            if (n + 1 > MAX_OPTIONS_LENGTH) {
                throw new IllegalArgumentException("TCP options exceed 40 bytes");
            }
            buf[n++] = (byte) kind;
        }

        private void put(int kind, int length) {
            if (n + length > MAX_OPTIONS_LENGTH) {
                throw new IllegalArgumentException("TCP options exceed 40 bytes");
            }
            buf[n++] = (byte) kind;
            buf[n++] = (byte) length;
        }

        /** The option bytes, NOP-padded to a multiple of 4. */
        public byte[] build() {
            int padded = (n + 3) & ~3;
            byte[] out = Arrays.copyOf(buf, padded);
            Arrays.fill(out, n, padded, (byte) OPT_NOP);
            return out;
        }
    }

    public TcpSegment withPayload(byte[] p) {
        return new TcpSegment(sourcePort, destinationPort, sequence, acknowledgment, flags, window, urgentPointer,
                options, p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpSegment s && sourcePort == s.sourcePort && destinationPort == s.destinationPort
                && sequence == s.sequence && acknowledgment == s.acknowledgment && flags == s.flags
                && window == s.window && urgentPointer == s.urgentPointer && Arrays.equals(options, s.options)
                && samePayload(s);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourcePort, destinationPort, sequence, acknowledgment, flags, window, urgentPointer,
                Arrays.hashCode(options), Arrays.hashCode(payload()));
    }

    /** tcpdump-like: {@code 43210 > 80: Flags [S], seq 123, win 64240, options [mss 1460,nop,wscale 7], length 0}. */
    @Override
    public String toString() {
        return sourcePort + " > " + destinationPort + ": " + describe();
    }

    /** The part after the ports, as tcpdump prints it (absolute sequence numbers). */
    public String describe() {
        StringBuilder s = new StringBuilder("Flags [").append(flagString()).append(']');
        int len = payloadLength;
        if (len > 0 || syn() || fin() || rst()) {
            s.append(", seq ").append(sequence);
            if (len > 0) {
                s.append(':').append((sequence + len) & 0xFFFFFFFFL);
            }
        }
        if (ack()) {
            s.append(", ack ").append(acknowledgment);
        }
        s.append(", win ").append(window);
        if (has(URG)) {
            s.append(", urg ").append(urgentPointer);
        }
        if (options.length > 0) {
            s.append(", options [").append(describeOptions()).append(']');
        }
        s.append(", length ").append(len);
        return s.toString();
    }

    private String describeOptions() {
        List<String> parts = new ArrayList<>();
        for (Option o : optionList()) {
            byte[] d = o.data();
            parts.add(switch (o.kind()) {
                case OPT_EOL -> "eol";
                case OPT_NOP -> "nop";
                case OPT_MSS -> "mss " + Bytes.readU16(d, 0);
                case OPT_WINDOW_SCALE -> "wscale " + (d[0] & 0xFF);
                case OPT_SACK_PERMITTED -> "sackOK";
                case OPT_TIMESTAMPS -> "TS val " + (Bytes.readI32(d, 0) & 0xFFFFFFFFL) + " ecr "
                        + (Bytes.readI32(d, 4) & 0xFFFFFFFFL);
                case OPT_SACK -> {
                    StringBuilder sb = new StringBuilder("sack ").append(d.length / 8);
                    for (int i = 0; i + 8 <= d.length; i += 8) {
                        sb.append(" {").append(Bytes.readI32(d, i) & 0xFFFFFFFFL).append(':')
                                .append(Bytes.readI32(d, i + 4) & 0xFFFFFFFFL).append('}');
                    }
                    yield sb.toString();
                }
                default -> "unknown-" + o.kind() + " " + d.length;
            });
        }
        return String.join(",", parts);
    }
}
