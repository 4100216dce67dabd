package dev.wirelab.netstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link InternetChecksum#add} (8 bytes at a time) against the plain word-at-a-time sum of RFC 1071. */
class InternetChecksumTest {

    /** RFC 1071 section 1 as written: big-endian 16-bit words from off, an odd last byte padded with zero. */
    static long referenceAdd(long sum, byte[] b, int off, int len) {
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

    private static void assertSameAsReference(long sum, byte[] b, int off, int len) {
        long expected = referenceAdd(sum, b, off, len);
        long actual = InternetChecksum.add(sum, b, off, len);
        assertThat(actual).as("add(%d, b[%d], %d, %d)", sum, b.length, off, len).isEqualTo(expected);
        assertThat(InternetChecksum.finish(actual)).isEqualTo(InternetChecksum.finish(expected));
    }

    @Test
    void rfc1071Section3NumericalExample() {
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        // Section 3: the words sum to 2ddf0, which folds to ddf2; the checksum is its complement.
        assertThat(InternetChecksum.add(0, b, 0, 8)).isEqualTo(0x2DDF0L);
        assertThat(InternetChecksum.finish(0x2DDF0L)).isEqualTo(~0xDDF2 & 0xFFFF);
        // The same words from an odd offset, and with the tail paths (4, 2 and 1 bytes).
        byte[] shifted = new byte[11];
        System.arraycopy(b, 0, shifted, 3, 8);
        assertThat(InternetChecksum.add(0, shifted, 3, 8)).isEqualTo(0x2DDF0L);
        assertThat(InternetChecksum.add(0, b, 0, 7)).isEqualTo(0x2DDF0L - 0xF7);
        assertThat(InternetChecksum.add(0, b, 1, 7)).isEqualTo(referenceAdd(0, b, 1, 7));
    }

    @Test
    void randomRangesOffsetsAndStartingSumsMatchTheReference() {
        Random rnd = new Random(1071);
        byte[] buf = new byte[9100 + 8];
        for (int n = 0; n < 20_000; n++) {
            switch (n % 4) {
                case 0 -> rnd.nextBytes(buf);
                case 1 -> Arrays.fill(buf, (byte) 0xFF);
                case 2 -> {
                    // Mostly 0xFF with a few random bytes: lanes near their maximum.
                    Arrays.fill(buf, (byte) 0xFF);
                    for (int k = 0; k < 16; k++) {
                        buf[rnd.nextInt(buf.length)] = (byte) rnd.nextInt();
                    }
                }
                default -> {
                    if (n % 8 == 3) {
                        Arrays.fill(buf, (byte) 0);
                    } else {
                        rnd.nextBytes(buf);
                    }
                }
            }
            int off = rnd.nextInt(8);
            int len = rnd.nextInt(4) == 0 ? rnd.nextInt(80) : rnd.nextInt(9101);
            long sum = switch (rnd.nextInt(5)) {
                case 0 -> 0;
                case 1 -> rnd.nextInt(0x10000);
                case 2 -> rnd.nextLong() & ((1L << 32) - 1);
                case 3 -> rnd.nextLong() & ((1L << 40) - 1);
                default -> rnd.nextLong(); // any long, even near the wrap: both sums wrap alike
            };
            assertSameAsReference(sum, buf, off, len);
        }
    }

    @Test
    void everyShortLengthAtEveryOffset() {
        Random rnd = new Random(7);
        byte[] buf = new byte[80];
        rnd.nextBytes(buf);
        for (int off = 0; off < 8; off++) {
            for (int len = 0; off + len <= buf.length; len++) {
                assertSameAsReference(0, buf, off, len);
                assertSameAsReference((1L << 40) + 12345, buf, off, len);
            }
        }
    }

    @Test
    void edgeCases() {
        byte[] ones = new byte[65535 + 8];
        Arrays.fill(ones, (byte) 0xFF);
        for (int off = 0; off < 8; off++) {
            assertSameAsReference(0, ones, off, 65535);
            assertSameAsReference(0, ones, off, 65534);
            assertSameAsReference((1L << 40) - 1, ones, off, 65535);
            assertSameAsReference(Long.MAX_VALUE - 3, ones, off, 65535);
        }
        // 32767 words of 0xFFFF plus a padded 0xFF00.
        assertThat(InternetChecksum.add(0, ones, 0, 65535)).isEqualTo(32767L * 0xFFFF + 0xFF00);
        assertThat(InternetChecksum.compute(ones, 0, 65534)).isZero();
        // len 0 and a negative len add nothing, at any offset, even at the end of the array.
        assertThat(InternetChecksum.add(42, ones, 0, 0)).isEqualTo(42);
        assertThat(InternetChecksum.add(42, ones, ones.length, 0)).isEqualTo(42);
        assertThat(InternetChecksum.add(42, ones, 3, -5)).isEqualTo(42);
        assertThat(InternetChecksum.add(42, new byte[0], 0, 0)).isEqualTo(42);
        assertThat(InternetChecksum.add(0, new byte[] {(byte) 0xAB}, 0, 1)).isEqualTo(0xAB00);
        assertThat(InternetChecksum.compute(new byte[8], 0, 8)).isEqualTo(0xFFFF);
    }

    @Test
    void rangesLongerThanOneLaneBlock() {
        // Past 2 KiB the lanes are emptied into the sum; all-0xFF bytes fill them fastest.
        byte[] ones = new byte[(1 << 20) + 16];
        Arrays.fill(ones, (byte) 0xFF);
        int block = 1 << 11;
        for (int len : new int[] {block - 1, block, block + 1, block + 7, block + 8, block + 9, 2 * block, 3 * block + 5,
                1 << 20}) {
            for (int off : new int[] {0, 1, 7}) {
                assertSameAsReference(0, ones, off, len);
                assertSameAsReference(1L << 40, ones, off, len);
            }
        }
        byte[] rnd = new byte[(1 << 20) + 16];
        new Random(99).nextBytes(rnd);
        assertSameAsReference(5, rnd, 3, 1 << 20);
    }

    @Test
    void outOfRangeBytesStillThrowLikeAnArrayAccess() {
        byte[] b = new byte[16];
        assertThatThrownBy(() -> InternetChecksum.add(0, b, 9, 8)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> InternetChecksum.add(0, b, 0, 17)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> InternetChecksum.add(0, b, -1, 4)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
        assertThatThrownBy(() -> InternetChecksum.add(0, b, 15, 2)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
    }
}
