package dev.wirelab.netstack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
public final class InternetChecksum {

    /** Eight bytes at any (unaligned) index of a byte[] as one big-endian long: words in network order. */
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** The 16-bit words at bits 0-15 and 32-47 of a long: two 32-bit lanes, 16 bits of headroom each. */
    private static final long LANES = 0x0000_FFFF_0000_FFFFL;
    /**
     * Bytes summed into one lane accumulator before its lanes are emptied into the running sum.
     * Each 8-byte step adds at most 2 * 0xFFFF = 0x1FFFE to each 32-bit lane, so after n steps a
     * lane holds at most n * 0x1FFFE, which stays below 2^32 for n <= 32768 (32768 * 0x1FFFE =
     * 0xFFFF0000): the low lane never carries into the high lane and the high lane never carries
     * out of the long. 32768 steps = 256 KiB, more than any IP datagram, so a packet empties the
     * accumulator once.
     */
    private static final int BLOCK_BYTES = 32768 * 8;

    private InternetChecksum() {
    }

    /**
     * Adds bytes [off, off+len) to a running 32-bit sum, an odd last byte padded with zero.
     *
     * <p>The result is exactly {@code sum} plus every big-endian 16-bit word of the range (the words
     * start at {@code off}, whatever its alignment), as a plain, carry-deferred long (RFC 1071
     * section 2(D)); {@link #finish} folds the carries. A {@code len} of 0 or less adds nothing.
     *
     * <p>Eight bytes are read at a time (RFC 1071 section 2(C), parallel summation): a big-endian
     * long holds four words, w0 w1 w2 w3. Masking it and its 16-bit shift with {@link #LANES} puts
     * w1 + w0 in the high 32-bit lane and w3 + w2 in the low one; by associativity and
     * commutativity (section 2(A)) the order in which words are added does not matter, and since
     * the lanes cannot overflow (see {@link #BLOCK_BYTES}) their total is the exact sum of the words,
     * the same long a word-at-a-time loop returns. The loop has no carry handling and no branches,
     * so the JIT can unroll (and, on recent JDKs, vectorize) it.
     */
    public static long add(long sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            int blockEnd = i + Math.min((end - i) & ~7, BLOCK_BYTES);
            long lanes = 0;
            for (; i < blockEnd; i += 8) {
                long v = (long) LONG_BE.get(b, i);
                lanes += (v & LANES) + ((v >>> 16) & LANES);
            }
            sum += (lanes >>> 32) + (lanes & 0xFFFF_FFFFL);
        }
        // Tail of 0 to 7 bytes; words still count from off (section 1, step (1)).
        if (end - i >= 4) {
            int v = (int) INT_BE.get(b, i);
            sum += (v >>> 16) + (v & 0xFFFF);
            i += 4;
        }
        if (end - i >= 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            // An odd count: the last byte is the high byte of a word padded with zero (section 1).
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
