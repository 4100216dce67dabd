package dev.wirelab.netstack.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * Input generators for seeded property tests (JUnit 5 {@code @ParameterizedTest} over
 * {@link #seeds(int)}): every input of a try is drawn from {@link #random(long) random(seed)}, so the
 * seed in the test's display name reproduces a failure exactly.
 *
 * <p>Like the property-testing libraries they replace, the generators mix in edge cases: about one
 * value in {@value #EDGE_ONE_IN} is a boundary ({@link #edgeCases(long, long)}: the ends of the range,
 * the ends plus or minus one, and 0, 1 and -1 when in range), wide integer ranges are biased towards
 * small magnitudes, and sizes are often minimal, maximal or small. Plain Java, no test framework, so
 * other modules' tests can use it through netstack's test-jar whatever JUnit they run.
 */
public final class Gen {

    /** About one generated number or size in this many is an edge case. */
    public static final int EDGE_ONE_IN = 16;

    private Gen() {
    }

    /** The seeds of a property's tries: 0 to {@code tries - 1}, for a {@code @MethodSource}. */
    public static LongStream seeds(int tries) {
        return LongStream.range(0, tries);
    }

    /**
     * The random source of one try. The seed is scrambled first (SplitMix64's finalizer):
     * {@code new Random(n)} for consecutive small {@code n} gives the same first {@code nextBoolean()}
     * and {@code nextInt(4)}.
     */
    public static Random random(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    // ---- numbers ----

    /** The boundary values of [min, max]: min, min+1, max-1, max, and -1, 0, 1 (or the end nearest 0). */
    public static long[] edgeCases(long min, long max) {
        check(min, max);
        long target = Math.max(min, Math.min(max, 0));
        long[] candidates = {min, min + 1, target - 1, target, target + 1, max - 1, max};
        // min + 1 and max - 1 can only overflow out of the range, and are filtered out then
        return LongStream.of(candidates).filter(v -> v >= min && v <= max).distinct().sorted().toArray();
    }

    /** {@link #edgeCases(long, long)} of an int range. */
    public static int[] edgeCases(int min, int max) {
        return LongStream.of(edgeCases((long) min, (long) max)).mapToInt(v -> (int) v).toArray();
    }

    /** An int in [min, max], both inclusive. */
    public static int between(Random r, int min, int max) {
        return (int) between(r, (long) min, (long) max);
    }

    /**
     * A long in [min, max], both inclusive: one in {@value #EDGE_ONE_IN} an edge case; in a range wider
     * than 256, half the others near 0 (or the end nearest 0) with a uniformly chosen number of bits,
     * so that small values are as likely as huge ones; the rest uniform.
     */
    public static long between(Random r, long min, long max) {
        check(min, max);
        if (r.nextInt(EDGE_ONE_IN) == 0) {
            long[] edges = edgeCases(min, max);
            return edges[r.nextInt(edges.length)];
        }
        boolean wide = max - min < 0 || max - min > 256; // negative: the width overflows
        if (wide && r.nextBoolean()) {
            long target = Math.max(min, Math.min(max, 0));
            long magnitude = r.nextLong() >>> (1 + r.nextInt(63)); // 1 to 63 bits
            boolean up = r.nextBoolean();
            long v = up ? target + magnitude : target - magnitude;
            boolean overflowed = up ? v < target : v > target;
            if (!overflowed && v >= min && v <= max) {
                return v;
            }
        }
        return uniform(r, min, max);
    }

    /** A uniformly distributed long in [min, max], both inclusive. */
    public static long uniform(Random r, long min, long max) {
        check(min, max);
        if (max < Long.MAX_VALUE) {
            return r.nextLong(min, max + 1);
        }
        return min == Long.MIN_VALUE ? r.nextLong() : r.nextLong(min - 1, max) + 1;
    }

    /** Any int, edge cases and small magnitudes included. */
    public static int anyInt(Random r) {
        return between(r, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Any long, edge cases and small magnitudes included. */
    public static long anyLong(Random r) {
        return between(r, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Any byte, edge cases (-128, -1, 0, 1, 127) included. */
    public static byte anyByte(Random r) {
        return (byte) between(r, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    /** A decimal in [min, max] with {@code scale} digits after the point (0.01 steps for scale 2). */
    public static double decimal(Random r, double min, double max, int scale) {
        double unit = Math.pow(10, scale);
        long lo = Math.round(Math.ceil(min * unit));
        long hi = Math.round(Math.floor(max * unit));
        return between(r, lo, hi) / unit;
    }

    /** An index into {@code weights}, each chosen in proportion to its weight. */
    public static int weighted(Random r, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        throw new AssertionError();
    }

    // ---- sizes, arrays, collections ----

    /**
     * A size in [min, max]: one in {@value #EDGE_ONE_IN} min, one in {@value #EDGE_ONE_IN} max, about
     * half the others at most 10 above min, the rest uniform.
     */
    public static int size(Random r, int min, int max) {
        check(min, max);
        int k = r.nextInt(EDGE_ONE_IN);
        if (k == 0) {
            return min;
        }
        if (k == 1) {
            return max;
        }
        if (r.nextBoolean()) {
            return min + r.nextInt(Math.min(max - min, 10) + 1);
        }
        return min + r.nextInt(max - min + 1);
    }

    /** Bytes of a {@link #size(Random, int, int) size} in [minSize, maxSize], edge-case bytes mixed in. */
    public static byte[] bytes(Random r, int minSize, int maxSize) {
        return fill(r, new byte[size(r, minSize, maxSize)]);
    }

    /** Up to {@code maxSize} bytes. */
    public static byte[] bytes(Random r, int maxSize) {
        return bytes(r, 0, maxSize);
    }

    /** Exactly {@code size} bytes. */
    public static byte[] bytesOfSize(Random r, int size) {
        return fill(r, new byte[size]);
    }

    private static byte[] fill(Random r, byte[] b) {
        r.nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (r.nextInt(EDGE_ONE_IN) == 0) {
                b[i] = anyByte(r);
            }
        }
        return b;
    }

    /** A list of a {@link #size(Random, int, int) size} in [minSize, maxSize]. */
    public static <T> List<T> list(Random r, int minSize, int maxSize, Function<Random, T> element) {
        int n = size(r, minSize, maxSize);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(r));
        }
        return out;
    }

    /**
     * A list of up to {@code maxSize} elements with distinct {@code key}s (an element whose key is taken
     * is drawn again, a bounded number of times, so the list may come out shorter).
     */
    public static <T, K> List<T> uniqueList(Random r, int minSize, int maxSize, Function<Random, T> element,
                                            Function<T, K> key) {
        int n = size(r, minSize, maxSize);
        List<T> out = new ArrayList<>(n);
        Set<K> keys = new HashSet<>();
        for (int attempts = 0; out.size() < n && attempts < 100 * (n + 1); attempts++) {
            T e = element.apply(r);
            if (keys.add(key.apply(e))) {
                out.add(e);
            }
        }
        if (out.size() < minSize) {
            throw new IllegalStateException("could not draw " + minSize + " elements with distinct keys");
        }
        return out;
    }

    /** One of {@code values}, uniformly. */
    public static <T> T oneOf(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public static <T> T oneOf(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    // ---- characters and strings ----

    /** One of the characters of {@code chars}, uniformly. */
    public static char charFrom(Random r, String chars) {
        return chars.charAt(r.nextInt(chars.length()));
    }

    /** A character in [from, to], uniformly, or one in {@value #EDGE_ONE_IN} an end of the range. */
    public static char charBetween(Random r, char from, char to) {
        if (r.nextInt(EDGE_ONE_IN) == 0) {
            return r.nextBoolean() ? from : to;
        }
        return (char) (from + r.nextInt(to - from + 1));
    }

    /**
     * Any character of the Basic Multilingual Plane except surrogates, noncharacters and private use
     * (so mostly CJK, as the BMP is); one in {@value #EDGE_ONE_IN} '\u0000', and one in 8 printable
     * ASCII, so that the characters parsers act on turn up too.
     */
    public static char anyChar(Random r) {
        int k = r.nextInt(EDGE_ONE_IN);
        if (k == 0) {
            return '\u0000';
        }
        if (k <= 2) {
            return (char) (' ' + r.nextInt(95));
        }
        while (true) {
            char c = (char) r.nextInt(Character.MAX_VALUE + 1);
            boolean excluded = Character.isSurrogate(c) || (c >= 0xFDD0 && c <= 0xFDEF) || c == 0xFFFE || c == 0xFFFF
                    || (c >= 0xE000 && c <= 0xF8FF);
            if (!excluded) {
                return c;
            }
        }
    }

    /** A string of a {@link #size(Random, int, int) length} in [minLength, maxLength] of {@code chars}. */
    public static String string(Random r, int minLength, int maxLength, String chars) {
        int n = size(r, minLength, maxLength);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(charFrom(r, chars));
        }
        return sb.toString();
    }

    /** A string of a length in [minLength, maxLength] of {@link #anyChar(Random) any characters}. */
    public static String string(Random r, int minLength, int maxLength) {
        int n = size(r, minLength, maxLength);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(anyChar(r));
        }
        return sb.toString();
    }

    private static void check(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
    }
}
