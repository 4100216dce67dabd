package dev.wirelab.netstack.wire;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 datagram (RFC 791 section 3.1).
 * <pre>
 *  version=4 (4) | IHL (4) | TOS (8) | total length (16)
 *  identification (16) | flags: reserved, DF, MF (3) | fragment offset in 8-byte units (13)
 *  TTL (8) | protocol (8) | header checksum (16)
 *  source (32) | destination (32) | options (IHL*4 - 20) | data
 * </pre>
 * Options are kept as raw bytes (a multiple of 4, at most 40), unknown protocols as values. The byte
 * arrays are not copied: callers must not mutate them after handing them over. (A class rather than
 * a record so that a parsed datagram's payload can stay in the frame it came in.)
 */
public final class Ipv4Packet extends PayloadView {

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int MIN_HEADER_LENGTH = 20;
    /** IHL is 4 bits of 32-bit words: at most 60 bytes of header, so 40 bytes of options. */
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;
    /** RFC 1122 section 3.2.1.7 defers the default TTL to "Assigned Numbers", which recommends 64 (RFC 1700). */
    public static final int DEFAULT_TTL = 64;

    private static final int FLAG_RESERVED = 0x8000;
    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;

    private final int tos;
    private final int identification;
    private final boolean dontFragment;
    private final boolean moreFragments;
    private final int fragmentOffset;
    private final int ttl;
    private final int protocol;
    private final Ipv4Address source;
    private final Ipv4Address destination;
    private final byte[] options;
    // Not on the wire: for a TCP super-packet built for a NIC with TCP segmentation offload, the
    // payload size of each segment it stands for (Linux's skb_shinfo gso_size); 0 otherwise.
    private int gsoSize;
    private boolean frameHeadroom;

    public Ipv4Packet(int tos, int identification, boolean dontFragment, boolean moreFragments,
                      int fragmentOffset, int ttl, int protocol, Ipv4Address source,
                      Ipv4Address destination, byte[] options, byte[] payload) {
        this(tos, identification, dontFragment, moreFragments, fragmentOffset, ttl, protocol, source, destination,
                options, Objects.requireNonNull(payload, "payload"), 0, payload.length);
        this.payload = payload;
    }

    private Ipv4Packet(int tos, int identification, boolean dontFragment, boolean moreFragments,
                       int fragmentOffset, int ttl, int protocol, Ipv4Address source,
                       Ipv4Address destination, byte[] options, byte[] payloadArray, int payloadOffset,
                       int payloadLength) {
        super(payloadArray, payloadOffset, payloadLength);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(options, "options");
        checkField("TOS", tos, 0xFF);
        checkField("identification", identification, 0xFFFF);
        checkField("TTL", ttl, 0xFF);
        checkField("protocol", protocol, 0xFF);
        if (fragmentOffset < 0 || fragmentOffset > 0x1FFF * 8 || fragmentOffset % 8 != 0) {
            throw new IllegalArgumentException(
                    "fragment offset must be a multiple of 8 bytes in 0.." + 0x1FFF * 8 + ": " + fragmentOffset);
        }
        if (options.length % 4 != 0 || options.length > MAX_HEADER_LENGTH - MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "options must be padded to a multiple of 4 bytes, at most 40: " + options.length);
        }
        if (MIN_HEADER_LENGTH + options.length + payloadLength > MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException("datagram of " + (MIN_HEADER_LENGTH + options.length + payloadLength)
                    + " bytes exceeds the 65535-byte total length");
        }
        this.tos = tos;
        this.identification = identification;
        this.dontFragment = dontFragment;
        this.moreFragments = moreFragments;
        this.fragmentOffset = fragmentOffset;
        this.ttl = ttl;
        this.protocol = protocol;
        this.source = source;
        this.destination = destination;
        this.options = options;
    }

    public int tos() {
        return tos;
    }

    public int identification() {
        return identification;
    }

    public boolean dontFragment() {
        return dontFragment;
    }

    public boolean moreFragments() {
        return moreFragments;
    }

    /** In bytes (the wire field times 8), so always a multiple of 8. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    public int ttl() {
        return ttl;
    }

    public int protocol() {
        return protocol;
    }

    public Ipv4Address source() {
        return source;
    }

    public Ipv4Address destination() {
        return destination;
    }

    public byte[] options() {
        return options;
    }


    private static void checkField(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be in 0.." + max + ": " + value);
        }
    }

    /** An unfragmented datagram without options, with TOS 0 and DF clear. */
    public static Ipv4Packet of(int identification, int ttl, int protocol, Ipv4Address source,
                                Ipv4Address destination, byte[] payload) {
        return new Ipv4Packet(0, identification, false, false, 0, ttl, protocol, source, destination,
                new byte[0], payload);
    }

    /**
     * Parses and verifies the datagram at {@code off}. Bytes past the total length (Ethernet padding)
     * are ignored.
     *
     * <p>The reserved flag bit is refused: RFC 791 section 3.1 says "Bit 0: reserved, must be zero",
     * and this record has no place to keep it, so accepting it would silently change the bytes on
     * re-encoding (a router would forward a different header). A node drops such a datagram and counts it.
     */
    public static Ipv4Packet parse(byte[] b, int off, int len) {
        Bytes.checkBounds("ipv4", b, off, len);
        int headerLength = checkHeader(b, off, len);
        int totalLength = Bytes.readU16(b, off + 2);
        // RFC 791 section 3.1: "Total Length is the length of the datagram, measured in octets,
        // including internet header and data."
        if (totalLength < headerLength) {
            throw new WireFormatException("ipv4",
                    "total length " + totalLength + " is shorter than the " + headerLength + "-byte header");
        }
        if (totalLength > len) {
            throw new WireFormatException("ipv4",
                    "total length " + totalLength + " exceeds the " + len + " bytes received");
        }
        // RFC 1122 section 3.2.1.2: "A host MUST verify the IP header checksum on every received
        // datagram and silently discard every datagram that has a bad checksum."
        // Summing the header with its checksum gives zero in one's complement when intact (RFC 1071
        // section 1), which also accepts 0xFFFF for a computed 0x0000 (both are zero).
        if (InternetChecksum.compute(b, off, headerLength) != 0) {
            throw new WireFormatException("ipv4", "bad header checksum " + Bytes.hex16(Bytes.readU16(b, off + 10))
                    + " (expected " + Bytes.hex16(headerChecksum(b, off, headerLength)) + ")");
        }
        int flags = Bytes.readU16(b, off + 6);
        if ((flags & FLAG_RESERVED) != 0) {
            throw new WireFormatException("ipv4",
                    "reserved flag bit set (RFC 791 section 3.1: \"Bit 0: reserved, must be zero\")");
        }
        return build(b, off, headerLength, off + totalLength);
    }

    /**
     * Parses the original header quoted in an ICMP error (RFC 792: "Internet Header + 64 bits of Original Data
     * Datagram"; RFC 1812 section 4.3.2.3 allows more, up to 576 bytes of ICMP datagram). Lenient on
     * purpose: the payload is whatever follows the header, cut at the quoted total length, which
     * normally describes the original datagram and so exceeds what was quoted; the header checksum
     * is not verified, because the ICMP checksum already covers these bytes and middleboxes (NATs,
     * RFC 5508) rewrite quoted headers; the reserved bit is ignored. Only what is needed to
     * match the error to its origin is required: version 4 and a whole header.
     */
    public static Ipv4Packet parseQuoted(byte[] b, int off, int len) {
        Bytes.checkBounds("ipv4", b, off, len);
        int headerLength = checkHeader(b, off, len);
        int totalLength = Bytes.readU16(b, off + 2);
        int end = totalLength >= headerLength ? off + Math.min(totalLength, len) : off + len;
        return build(b, off, headerLength, end);
    }

    /** Checks version, IHL and that the header is all there; returns the header length in bytes. */
    private static int checkHeader(byte[] b, int off, int len) {
        if (len < MIN_HEADER_LENGTH) {
            throw new WireFormatException("ipv4",
                    "datagram of " + len + " bytes is shorter than the 20-byte minimum header");
        }
        int version = (b[off] & 0xFF) >>> 4;
        // RFC 1122 section 3.2.1.1: "A datagram whose version number is not 4 MUST be silently discarded."
        if (version != 4) {
            throw new WireFormatException("ipv4", "version " + version + " is not 4");
        }
        int ihl = b[off] & 0x0F;
        // RFC 791 section 3.1: "Note that the minimum value for a correct header is 5."
        if (ihl < 5) {
            throw new WireFormatException("ipv4", "IHL " + ihl + " is below the minimum of 5");
        }
        int headerLength = ihl * 4;
        if (headerLength > len) {
            throw new WireFormatException("ipv4",
                    "header of " + headerLength + " bytes (IHL " + ihl + ") exceeds the " + len + " bytes received");
        }
        return headerLength;
    }

    private static Ipv4Packet build(byte[] b, int off, int headerLength, int end) {
        int flags = Bytes.readU16(b, off + 6);
        return new Ipv4Packet(b[off + 1] & 0xFF, Bytes.readU16(b, off + 4),
                (flags & FLAG_DF) != 0, (flags & FLAG_MF) != 0, (flags & 0x1FFF) * 8,
                b[off + 8] & 0xFF, b[off + 9] & 0xFF,
                Ipv4Address.read(b, off + 12), Ipv4Address.read(b, off + 16),
                Arrays.copyOfRange(b, off + MIN_HEADER_LENGTH, off + headerLength),
                b, off + headerLength, end - (off + headerLength));
    }

    /**
     * RFC 791 section 3.1: "The checksum field is the 16 bit one's complement of the one's complement
     * sum of all 16 bit words in the header. For purposes of computing the checksum, the value of the
     * checksum field is zero."
     */
    private static int headerChecksum(byte[] b, int off, int headerLength) {
        long sum = InternetChecksum.add(0, b, off, 10);
        sum = InternetChecksum.add(sum, b, off + 12, headerLength - 12);
        return InternetChecksum.finish(sum);
    }

    /** The whole datagram with a freshly computed header checksum. */
    public byte[] encode() {
        byte[] out = new byte[totalLength()];
        encodeInto(out, 0);
        return out;
    }

    /**
     * The first {@code length} bytes of {@link #encode()} (the header at least, the whole datagram at
     * most), without copying the rest of the payload: what an ICMP error quotes of a 64 KB super-packet.
     */
    public byte[] encodeHead(int length) {
        int n = Math.min(Math.max(length, headerLength()), totalLength());
        byte[] out = new byte[n];
        writeHeader(out, 0);
        System.arraycopy(payloadArray, payloadOffset, out, headerLength(), n - headerLength());
        return out;
    }

    /**
     * Writes the whole datagram at {@code off} of {@code out} ({@link #totalLength()} bytes), so a
     * link layer can put its header in front without another copy of the payload.
     */
    public void encodeInto(byte[] out, int off) {
        writeHeader(out, off);
        System.arraycopy(payloadArray, payloadOffset, out, off + headerLength(), payloadLength);
    }

    /** Writes the header (with its checksum) at {@code off}: {@link #headerLength()} bytes. */
    public void writeHeader(byte[] out, int off) {
        int headerLength = headerLength();
        out[off] = (byte) (0x40 | headerLength / 4);
        out[off + 1] = (byte) tos;
        Bytes.writeU16(out, off + 2, totalLength());
        Bytes.writeU16(out, off + 4, identification);
        Bytes.writeU16(out, off + 6, (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | fragmentOffset / 8);
        out[off + 8] = (byte) ttl;
        out[off + 9] = (byte) protocol;
        source.write(out, off + 12);
        destination.write(out, off + 16);
        System.arraycopy(options, 0, out, off + MIN_HEADER_LENGTH, options.length);
        Bytes.writeU16(out, off + 10, headerChecksum(out, off, headerLength));
    }

    public int headerLength() {
        return MIN_HEADER_LENGTH + options.length;
    }

    public int totalLength() {
        return headerLength() + payloadLength;
    }

    /** RFC 791 section 3.2: a fragment has MF set or a non-zero offset (the first fragment: MF, offset 0). */
    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    public Ipv4Packet withTtl(int newTtl) {
        Ipv4Packet p = new Ipv4Packet(tos, identification, dontFragment, moreFragments, fragmentOffset, newTtl,
                protocol, source, destination, options, payloadArray, payloadOffset, payloadLength);
        p.gsoSize = gsoSize;
        return p;
    }

    /**
     * A datagram whose payload is bytes [offset, offset + length) of {@code array}, not copied. When
     * the sender leaves exactly {@code 14 + headerLength()} bytes free in front of the payload and
     * none behind it, the array becomes the frame: the link layer writes the Ethernet and IPv4
     * headers in place instead of copying the payload ({@link #takeFrameHeadroom}). Only a sender
     * that gives the array away may do this; a parsed datagram never does.
     */
    public static Ipv4Packet view(int tos, int identification, boolean dontFragment, int ttl, int protocol,
                                  Ipv4Address source, Ipv4Address destination, byte[] options, byte[] array,
                                  int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        Ipv4Packet p = new Ipv4Packet(tos, identification, dontFragment, false, 0, ttl, protocol, source, destination,
                options, array, offset, length);
        p.frameHeadroom = offset == EthernetFrame.HEADER_LENGTH + p.headerLength() && offset + length == array.length
                && array.length >= EthernetFrame.MIN_FRAME_LENGTH;
        return p;
    }

    /**
     * True once per datagram made by {@link #view} with room for the Ethernet and IPv4 headers in
     * front of its payload: the caller may then write the frame into {@link #payloadArray()} (at 0)
     * and send that array. Later calls return false, so the array is never written twice.
     */
    public boolean takeFrameHeadroom() {
        boolean h = frameHeadroom;
        frameHeadroom = false;
        return h;
    }

    /**
     * The TCP segmentation offload size: each TCP segment this super-packet stands for carries at
     * most this many payload bytes (0: an ordinary datagram). Metadata, never on the wire.
     */
    public int gsoSize() {
        return gsoSize;
    }

    /** The same datagram marked as a TCP super-packet of {@code size}-byte segments (0: none). */
    public Ipv4Packet withGsoSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("gso size must be >= 0: " + size);
        }
        return sameBytesWith(dontFragment, size);
    }

    public Ipv4Packet withPayload(byte[] newPayload) {
        return new Ipv4Packet(tos, identification, dontFragment, moreFragments, fragmentOffset, ttl, protocol,
                source, destination, options, newPayload);
    }

    /** The same datagram with DF set or clear (payload, gso size and frame headroom carried over). */
    public Ipv4Packet withDontFragment(boolean df) {
        return sameBytesWith(df, gsoSize);
    }

    /**
     * This datagram with another DF flag and gso size: the payload view, its cached copy and the
     * frame headroom move to the new object (taken from this one, so the array is written once).
     */
    private Ipv4Packet sameBytesWith(boolean df, int gso) {
        Ipv4Packet p = new Ipv4Packet(tos, identification, df, moreFragments, fragmentOffset, ttl, protocol,
                source, destination, options, payloadArray, payloadOffset, payloadLength);
        p.payload = payload;
        p.gsoSize = gso;
        p.frameHeadroom = takeFrameHeadroom();
        return p;
    }

    public Ipv4Packet withOptions(byte[] newOptions) {
        return new Ipv4Packet(tos, identification, dontFragment, moreFragments, fragmentOffset, ttl, protocol,
                source, destination, newOptions, payloadArray, payloadOffset, payloadLength);
    }

    /**
     * One fragment of this datagram: same header fields, the given options, MF, offset (in bytes,
     * relative to the original datagram) and data. RFC 791 section 3.2 "Fragmentation": the first
     * fragment keeps all options, later ones only those with the copied flag ({@link #copiedOptions()}).
     */
    public Ipv4Packet fragment(byte[] fragmentOptions, boolean more, int offsetBytes, byte[] data) {
        return new Ipv4Packet(tos, identification, dontFragment, more, offsetBytes, ttl, protocol,
                source, destination, fragmentOptions, data);
    }

    /**
     * The options to repeat in every fragment after the first, padded with End of Option List to a
     * multiple of 4. RFC 791 section 3.1: the option type's copied flag "indicates that this option is
     * copied into all fragments on fragmentation". Single-byte options (End of Option List 0, No
     * Operation 1) are never copied; a malformed option length ends the walk.
     */
    public byte[] copiedOptions() {
        ByteArrayOutputStream copied = new ByteArrayOutputStream();
        int i = 0;
        while (i < options.length) {
            int type = options[i] & 0xFF;
            if (type == 0) {
                break; // End of Option List
            }
            if (type == 1) {
                i++; // No Operation
                continue;
            }
            if (i + 1 >= options.length) {
                break;
            }
            int optionLength = options[i + 1] & 0xFF;
            if (optionLength < 2 || i + optionLength > options.length) {
                break;
            }
            if ((type & 0x80) != 0) {
                copied.write(options, i, optionLength);
            }
            i += optionLength;
        }
        int n = copied.size();
        byte[] out = new byte[(n + 3) / 4 * 4];
        System.arraycopy(copied.toByteArray(), 0, out, 0, n);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Packet p && tos == p.tos && identification == p.identification
                && dontFragment == p.dontFragment && moreFragments == p.moreFragments
                && fragmentOffset == p.fragmentOffset && ttl == p.ttl && protocol == p.protocol
                && source.equals(p.source) && destination.equals(p.destination)
                && Arrays.equals(options, p.options) && samePayload(p);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tos, identification, dontFragment, moreFragments, fragmentOffset, ttl, protocol,
                source, destination, Arrays.hashCode(options), Arrays.hashCode(payload()));
    }

    @Override
    public String toString() {
        return "Ipv4Packet[" + source + " > " + destination + ", proto " + protocol + ", ttl " + ttl
                + ", id " + Bytes.hex16(identification) + (dontFragment ? ", DF" : "") + (moreFragments ? ", MF" : "")
                + ", offset " + fragmentOffset + ", tos " + tos + ", " + options.length + " option bytes, "
                + payloadLength + " payload bytes]";
    }
}
