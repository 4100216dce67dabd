package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * An Ethernet II frame (IEEE 802.3 section 3.2, with the optional IEEE 802.1Q tag), without FCS:
 * frames on our links and in pcapng captures carry no frame check sequence.
 * <pre>
 *  destination (6) | source (6) | [0x8100 | TCI (2)] | EtherType (2) | payload (46..1500)
 * </pre>
 *
 * <p>The {@code payload} array is not copied; callers must not mutate it after handing it over.
 * Unknown EtherTypes are kept as plain values. Values below 0x0600 are IEEE 802.3 length fields
 * (an LLC frame follows, not an EtherType's protocol): such frames are kept too, with that value in
 * {@link #etherType()} and {@link #isEthernetII()} false, so a switch can still forward them; the
 * payload is then everything after the header, padding included.
 *
 * @param vlanTci -1 when untagged, else the 16-bit 802.1Q Tag Control Information (PCP, DEI, VID)
 */
public record EthernetFrame(MacAddress destination, MacAddress source, int vlanTci, int etherType, byte[] payload) {

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** Destination, source and EtherType, untagged. */
    public static final int HEADER_LENGTH = 14;
    private static final byte[] NO_PAYLOAD = new byte[0];
    /** The 802.1Q tag adds four bytes to the header (IEEE 802.1Q section 9). */
    public static final int VLAN_TAG_LENGTH = 4;
    /** IEEE 802.3 minimum frame of 64 bytes less the 4-byte FCS that our frames do not carry. */
    public static final int MIN_FRAME_LENGTH = 60;
    /** IEEE 802.3 section 3.2.6: values of 1536 (0x0600) and above are EtherTypes, below are lengths. */
    public static final int MIN_ETHERTYPE = 0x0600;

    public EthernetFrame {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(payload, "payload");
        if (vlanTci != -1 && (vlanTci & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("VLAN TCI must be -1 (untagged) or 16 bits: " + vlanTci);
        }
        if ((etherType & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("EtherType must fit in 16 bits: " + etherType);
        }
    }

    /** An untagged frame. */
    public static EthernetFrame of(MacAddress dst, MacAddress src, int etherType, byte[] payload) {
        return new EthernetFrame(dst, src, -1, etherType, payload);
    }

    /** A frame with an 802.1Q tag of the given VLAN id (priority 0, DEI 0). */
    public static EthernetFrame tagged(MacAddress dst, MacAddress src, int vlanId, int etherType, byte[] payload) {
        if ((vlanId & ~0xFFF) != 0) {
            throw new IllegalArgumentException("VLAN id must fit in 12 bits: " + vlanId);
        }
        return new EthernetFrame(dst, src, vlanId, etherType, payload);
    }

    /** Parses a whole frame (no FCS). */
    public static EthernetFrame parse(byte[] frame) {
        if (frame == null) {
            throw new WireFormatException("ethernet", "no frame");
        }
        return parse(frame, 0, frame.length);
    }

    /** Parses the {@code len} bytes at {@code off} as a whole frame (no FCS). */
    public static EthernetFrame parse(byte[] b, int off, int len) {
        return parse(b, off, len, true);
    }

    /**
     * Parses only the header of a whole frame: the result's payload is empty, and the payload is
     * {@code frame[headerLength()..]}. A stack's receive path reads the packet in place from there
     * instead of copying it out.
     */
    public static EthernetFrame parseHeader(byte[] frame) {
        if (frame == null) {
            throw new WireFormatException("ethernet", "no frame");
        }
        return parse(frame, 0, frame.length, false);
    }

    private static EthernetFrame parse(byte[] b, int off, int len, boolean withPayload) {
        Bytes.checkBounds("ethernet", b, off, len);
        if (len < HEADER_LENGTH) {
            throw new WireFormatException("ethernet",
                    "frame of " + len + " bytes is shorter than the " + HEADER_LENGTH + "-byte header");
        }
        MacAddress dst = MacAddress.read(b, off);
        MacAddress src = MacAddress.read(b, off + 6);
        int type = Bytes.readU16(b, off + 12);
        int tci = -1;
        int headerLength = HEADER_LENGTH;
        // IEEE 802.1Q section 9.5: a TPID of 0x8100 is followed by the TCI and then the real EtherType.
        if (type == ETHERTYPE_VLAN) {
            if (len < HEADER_LENGTH + VLAN_TAG_LENGTH) {
                throw new WireFormatException("ethernet",
                        "802.1Q-tagged frame of " + len + " bytes is shorter than the 18-byte tagged header");
            }
            tci = Bytes.readU16(b, off + 14);
            type = Bytes.readU16(b, off + 16);
            headerLength += VLAN_TAG_LENGTH;
        }
        byte[] payload = withPayload ? Arrays.copyOfRange(b, off + headerLength, off + len) : NO_PAYLOAD;
        return new EthernetFrame(dst, src, tci, type, payload);
    }

    /** The frame's bytes, padded with zeros to {@link #MIN_FRAME_LENGTH} (IEEE 802.3 section 3.2.8). */
    public byte[] encode() {
        int headerLength = headerLength();
        byte[] out = new byte[Math.max(MIN_FRAME_LENGTH, headerLength + payload.length)];
        destination.write(out, 0);
        source.write(out, 6);
        int p = 12;
        if (isTagged()) {
            Bytes.writeU16(out, p, ETHERTYPE_VLAN);
            Bytes.writeU16(out, p + 2, vlanTci);
            p += VLAN_TAG_LENGTH;
        }
        Bytes.writeU16(out, p, etherType);
        System.arraycopy(payload, 0, out, headerLength, payload.length);
        return out;
    }

    /**
     * A frame of {@code payloadLength} bytes of payload behind an untagged header, zero-padded to
     * {@link #MIN_FRAME_LENGTH}, with the header written and the payload left for the caller to
     * write at {@link #HEADER_LENGTH} (the one-copy transmit path of a stack).
     */
    public static byte[] allocate(MacAddress destination, MacAddress source, int etherType, int payloadLength) {
        byte[] out = new byte[Math.max(MIN_FRAME_LENGTH, HEADER_LENGTH + payloadLength)];
        writeHeader(out, destination, source, etherType);
        return out;
    }

    /** Writes an untagged header ({@link #HEADER_LENGTH} bytes) at the start of {@code out}. */
    public static void writeHeader(byte[] out, MacAddress destination, MacAddress source, int etherType) {
        destination.write(out, 0);
        source.write(out, 6);
        Bytes.writeU16(out, 12, etherType);
    }

    public boolean isTagged() {
        return vlanTci != -1;
    }

    /** The 12-bit VLAN identifier, or -1 if untagged. */
    public int vlanId() {
        return isTagged() ? vlanTci & 0xFFF : -1;
    }

    /** The 3-bit priority code point of the tag, or -1 if untagged. */
    public int vlanPriority() {
        return isTagged() ? vlanTci >>> 13 : -1;
    }

    /** 14, or 18 with an 802.1Q tag. */
    public int headerLength() {
        return isTagged() ? HEADER_LENGTH + VLAN_TAG_LENGTH : HEADER_LENGTH;
    }

    /** False when the type field is an IEEE 802.3 length (below 0x0600) rather than an EtherType. */
    public boolean isEthernetII() {
        return etherType >= MIN_ETHERTYPE;
    }

    /** A copy with another payload (and the same addresses, tag and EtherType). */
    public EthernetFrame withPayload(byte[] newPayload) {
        return new EthernetFrame(destination, source, vlanTci, etherType, newPayload);
    }

    /** A copy with new addresses, as a router rewrites the MAC header per hop. */
    public EthernetFrame withAddresses(MacAddress newDestination, MacAddress newSource) {
        return new EthernetFrame(newDestination, newSource, vlanTci, etherType, payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EthernetFrame f && destination.equals(f.destination) && source.equals(f.source)
                && vlanTci == f.vlanTci && etherType == f.etherType && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destination, source, vlanTci, etherType, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "EthernetFrame[" + source + " > " + destination
                + (isTagged() ? ", vlan " + vlanId() + " pcp " + vlanPriority() : "")
                + String.format(", type 0x%04x, %d payload bytes]", etherType, payload.length);
    }
}
