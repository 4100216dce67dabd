package dev.wirelab.netstack.wire;

/** Big-endian (network byte order, RFC 791 Appendix B) field access shared by the codecs. */
final class Bytes {

    private Bytes() {
    }

    static int readU16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static void writeU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int readI32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static void writeI32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Rejects (off, len) that do not lie within {@code b}, so decoders never index out of bounds. */
    static void checkBounds(String protocol, byte[] b, int off, int len) {
        if (b == null) {
            throw new WireFormatException(protocol, "no bytes");
        }
        if (!(off >= 0 && len >= 0 && len <= b.length - off)) {
            throw new WireFormatException(protocol,
                    "range [" + off + ", " + off + "+" + len + ") outside a buffer of " + b.length + " bytes");
        }
    }

    static String hex16(int v) {
        return String.format("0x%04x", v);
    }
}
