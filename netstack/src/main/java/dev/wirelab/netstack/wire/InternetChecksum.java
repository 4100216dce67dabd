package dev.wirelab.netstack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
public final class InternetChecksum {

    /**
     * Eight bytes at any (unaligned) index of a byte[] as one little-endian long: the machine's own
     * order on x86 and ARM, so a read is one load, with no byte swap.
     */
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** Every other byte of a long: four 16-bit lanes, each holding one byte with 8 bits of headroom. */
    private static final long BYTE_LANES = 0x00FF_00FF_00FF_00FFL;
    /**
     * Bytes summed into the lane accumulators before they are emptied into the running sum. Each
     * 8-byte step adds at most 0xFF to each 16-bit lane, so after n steps a lane holds at most
     * n * 0xFF, which stays below 2^16 for n <= 257: 256 steps (2 KiB) never carry between lanes.
     */
    private static final int BLOCK_BYTES = 256 * 8;

    private InternetChecksum() {
    }

    /**
     * Adds bytes [off, off+len) to a running 32-bit sum, an odd last byte padded with zero.
     *
     * <p>The result is exactly {@code sum} plus every big-endian 16-bit word of the range (the words
     * start at {@code off}, whatever its alignment), as a plain, carry-deferred long (RFC 1071
     * section 2(D)); {@link #finish} folds the carries. A {@code len} of 0 or less adds nothing.
     *
     * <p>Eight bytes are read at a time (RFC 1071 section 2(C), parallel summation) as a
     * little-endian long. A big-endian word is {@code 256 * high byte + low byte}, and its high byte
     * is the one at the even position (from {@code off}), which the little-endian long holds in the
     * low half of each 16-bit lane. So {@code v & BYTE_LANES} collects the high bytes and
     * {@code (v >>> 8) & BYTE_LANES} the low ones, four lanes each; by associativity and
     * commutativity (section 2(A)) the words' sum is {@code 256 * (sum of high bytes) + (sum of low
     * bytes)} exactly, the same long a word-at-a-time loop returns, with no byte swap (section 2(B)
     * without the final swap) and no carry handling in the loop, which the JIT can unroll and
     * vectorize.
     */
    public static long add(long sum, byte[] b, int off, int len) {
        if (len < SHORT) {
            return addWords(sum, b, off, len);
        }
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            int blockEnd = i + Math.min((end - i) & ~7, BLOCK_BYTES);
            long high = 0;
            long low = 0;
            for (; i < blockEnd; i += 8) {
                long v = (long) LONG_LE.get(b, i);
                high += v & BYTE_LANES;
                low += (v >>> 8) & BYTE_LANES;
            }
            sum += (lanesTotal(high) << 8) + lanesTotal(low);
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

    /**
     * Below this many bytes (an IPv4 header, an ACK's TCP header) a plain word loop is faster: the
     * unrolled, vectorized lane loop pays a setup that only longer ranges earn back.
     */
    private static final int SHORT = 64;

    /** Two big-endian words per step, then one (RFC 1071 section 4.1). */
    private static long addWords(long sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len; // a range outside b fails on the first read outside it
        for (; end - i >= 4; i += 4) {
            int v = (int) INT_BE.get(b, i);
            sum += (v >>> 16) + (v & 0xFFFF);
        }
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    private static long lanesTotal(long lanes) {
        return (lanes & 0xFFFF) + ((lanes >>> 16) & 0xFFFF) + ((lanes >>> 32) & 0xFFFF) + (lanes >>> 48);
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
