package dev.wirelab.netstack.wire;

/**
 * VXLAN header (RFC 7348 section 5): 8 bytes before the inner Ethernet frame.
 * <pre>
 *  flags (8, I bit = 0x08) | reserved (24) | VNI (24) | reserved (8)
 * </pre>
 */
public final class Vxlan {

    public static final int HEADER_LENGTH = 8;
    /** IANA-assigned UDP port (RFC 7348 section 5). */
    public static final int DEFAULT_PORT = 4789;
    private static final int FLAG_I = 0x08;

    private Vxlan() {
    }

    /** Writes the header for {@code vni} at {@code off}; the frame follows at {@code off + 8}. */
    public static void writeHeader(byte[] b, int off, int vni) {
        if ((vni & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("VNI must fit in 24 bits: " + vni);
        }
        b[off] = FLAG_I; // "The I flag MUST be set to 1 for a valid VXLAN Network ID (VNI)."
        b[off + 1] = 0;
        b[off + 2] = 0;
        b[off + 3] = 0;
        b[off + 4] = (byte) (vni >>> 16);
        b[off + 5] = (byte) (vni >>> 8);
        b[off + 6] = (byte) vni;
        b[off + 7] = 0;
    }

    /** Encapsulates a frame: header plus frame bytes. */
    public static byte[] encapsulate(int vni, byte[] frame) {
        byte[] out = new byte[HEADER_LENGTH + frame.length];
        writeHeader(out, 0, vni);
        System.arraycopy(frame, 0, out, HEADER_LENGTH, frame.length);
        return out;
    }

    /**
     * Reads the VNI of a VXLAN datagram payload of {@code len} bytes whose header is at {@code off} in
     * {@code b} ({@code b} may hold just the header).
     *
     * @throws WireFormatException when the header lies outside {@code b}, the datagram is shorter than a
     *         header plus an Ethernet header, or the I flag is clear
     */
    public static int readVni(byte[] b, int off, int len) {
        // Only the header itself must be in b: receivers read the 8 header bytes apart from the frame.
        if (b == null) {
            throw new WireFormatException("vxlan", "no bytes");
        }
        if (!(off >= 0 && off <= b.length - HEADER_LENGTH)) {
            throw new WireFormatException("vxlan", "header at " + off + " outside a buffer of " + b.length + " bytes");
        }
        if (len < HEADER_LENGTH + 14) {
            throw new WireFormatException("vxlan",
                    "datagram of " + len + " bytes is shorter than a VXLAN header plus an Ethernet header");
        }
        // RFC 7348 section 5: reserved bits "MUST be ignored on receipt"; the I flag must be set.
        if ((b[off] & FLAG_I) == 0) {
            throw new WireFormatException("vxlan", "I flag clear: no valid VNI");
        }
        return ((b[off + 4] & 0xFF) << 16) | ((b[off + 5] & 0xFF) << 8) | (b[off + 6] & 0xFF);
    }

    /**
     * The inner Ethernet frame of a VXLAN datagram payload of {@code len} bytes at {@code off}, copied.
     *
     * @throws WireFormatException as {@link #readVni} does, or when the range lies outside {@code b}
     */
    public static byte[] decapsulate(byte[] b, int off, int len) {
        Bytes.checkBounds("vxlan", b, off, len);
        readVni(b, off, len);
        return java.util.Arrays.copyOfRange(b, off + HEADER_LENGTH, off + len);
    }
}
