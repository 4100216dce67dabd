package dev.wirelab.netstack.wire;

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
public final class InternetChecksum {

    private InternetChecksum() {
    }

    /** Adds bytes [off, off+len) to a running 32-bit sum, an odd last byte padded with zero. */
    public static long add(long sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries of a running sum and complements it (RFC 1071 section 4.1). */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    public static int compute(byte[] b, int off, int len) {
        return finish(add(0, b, off, len));
    }

    /** Sum of the IPv4 pseudo-header (RFC 768, RFC 9293 section 3.1) for UDP and TCP checksums. */
    public static long pseudoHeader(Ipv4Address src, Ipv4Address dst, int protocol, int length) {
        long sum = 0;
        sum += (src.bits() >>> 16) + (src.bits() & 0xFFFF);
        sum += (dst.bits() >>> 16) + (dst.bits() & 0xFFFF);
        sum += protocol;
        sum += length;
        return sum;
    }
}
