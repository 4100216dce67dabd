package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput of {@link InternetChecksum#add} against the word-at-a-time reference it replaced (a
 * benchmark, not a test: JMH is not in the build, so this is a plain main with a warm-up and
 * interleaved timed rounds). Each call sums one range at an offset cycling through 0..7, the way
 * TCP segments sit at various offsets of their frames. Run it from the module directory after
 * {@code mvn test-compile}:
 *
 * <pre>java -cp target/classes:target/test-classes dev.wirelab.netstack.wire.ChecksumBenchmark [secondsPerRound] [rounds] [sizes...]</pre>
 */
public final class ChecksumBenchmark {

    private static long sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] sizes = args.length > 2
                ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {20, 1448, 9000, 65535};
        long roundNanos = (long) (seconds * 1e9);
        System.out.printf(Locale.ROOT, "Internet checksum benchmark: %.2f s per round, %d rounds, Java %s, %d cores%n",
                seconds, rounds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        byte[] buf = new byte[65535 + 16];
        new Random(42).nextBytes(buf);
        for (int size : sizes) {
            if (size < 0 || size > 65535) {
                throw new IllegalArgumentException("size must be 0..65535: " + size);
            }
            if (InternetChecksumTest.referenceAdd(7, buf, 3, size) != InternetChecksum.add(7, buf, 3, size)) {
                throw new AssertionError("new and reference sums differ for " + size + " bytes");
            }
            // Warm-up: both paths compiled by C2 before any round counts.
            reference(buf, size, roundNanos);
            current(buf, size, roundNanos);
            double[] ref = new double[rounds];
            double[] cur = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ref[r] = reference(buf, size, roundNanos);
                cur[r] = current(buf, size, roundNanos);
            }
            double refMedian = median(ref);
            double curMedian = median(cur);
            System.out.printf(Locale.ROOT, "%5d bytes: reference %,8.0f MB/s, new %,8.0f MB/s (median of %d), x%.1f;"
                    + " rounds ref %s new %s%n", size, refMedian, curMedian, rounds, curMedian / refMedian,
                    list(ref), list(cur));
        }
        System.out.println("(sink " + (sink & 0xFF) + ")");
    }

    /** MB/s (10^6 bytes) of the reference over one round. */
    private static double reference(byte[] buf, int size, long roundNanos) {
        long bytes = 0;
        long acc = 0;
        long t0 = System.nanoTime();
        long t;
        do {
            for (int j = 0; j < 256; j++) {
                acc += InternetChecksum.finish(InternetChecksumTest.referenceAdd(j, buf, j & 7, size));
            }
            bytes += 256L * size;
            t = System.nanoTime();
        } while (t - t0 < roundNanos);
        sink += acc;
        return bytes * 1e3 / (t - t0);
    }

    private static double current(byte[] buf, int size, long roundNanos) {
        long bytes = 0;
        long acc = 0;
        long t0 = System.nanoTime();
        long t;
        do {
            for (int j = 0; j < 256; j++) {
                acc += InternetChecksum.finish(InternetChecksum.add(j, buf, j & 7, size));
            }
            bytes += 256L * size;
            t = System.nanoTime();
        } while (t - t0 < roundNanos);
        sink += acc;
        return bytes * 1e3 / (t - t0);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v[i]));
        }
        return sb.append(']').toString();
    }
}
