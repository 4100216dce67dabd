package dev.wirelab.netstack.trace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Per-frame cost of {@link PcapngWriter#write(long, String, String, byte[])} (a benchmark, not a
 * test: a plain main with a warm-up and timed rounds). Frames go to a 1 MiB
 * {@link BufferedOutputStream} over a null stream, as a capture streamed to a file does, from two
 * ports on each of two segments in turn (the port and segment strings are the same instances
 * every time, as the bus passes them). Prints ns per frame, MB/s of frame bytes and bytes
 * allocated per frame. Run it from the module directory after {@code mvn test-compile}:
 *
 * <pre>java -cp target/classes:target/test-classes dev.wirelab.netstack.trace.PcapngWriterBenchmark [secondsPerRound] [rounds] [sizes...]</pre>
 */
public final class PcapngWriterBenchmark {

    private static final String[] SEGMENTS = {"lan", "lan", "wan", "wan"};
    private static final String[] PORTS = {"pc1:eth0", "r1:eth0", "r1:eth1", "srv:eth0"};

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] sizes = args.length > 2
                ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {60, 1514, 9014};
        long roundNanos = (long) (seconds * 1e9);
        System.out.printf(Locale.ROOT, "PcapngWriter benchmark: %.2f s per round, %d rounds, Java %s, %d cores%n",
                seconds, rounds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int size : sizes) {
            byte[][] frames = new byte[16][];
            Random rnd = new Random(size);
            for (int i = 0; i < frames.length; i++) {
                frames[i] = new byte[size];
                rnd.nextBytes(frames[i]);
            }
            try (PcapngWriter w = new PcapngWriter(new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 20), 0)) {
                run(w, frames, roundNanos); // warm-up
                double[] nsPerFrame = new double[rounds];
                long allocated = 0;
                long written = 0;
                for (int r = 0; r < rounds; r++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    long n = run(w, frames, roundNanos);
                    long elapsed = System.nanoTime() - t0;
                    allocated += threads.getCurrentThreadAllocatedBytes() - before;
                    written += n;
                    nsPerFrame[r] = (double) elapsed / n;
                }
                double[] sorted = nsPerFrame.clone();
                Arrays.sort(sorted);
                double median = sorted[rounds / 2];
                StringBuilder all = new StringBuilder();
                for (double v : nsPerFrame) {
                    all.append(String.format(Locale.ROOT, " %.1f", v));
                }
                System.out.printf(Locale.ROOT, "%5d-byte frames: %7.1f ns/frame (median of %d), %,7.0f MB/s of frames,"
                        + " %.1f bytes allocated/frame; rounds ns/frame:%s%n", size, median, rounds, size * 1e3 / median,
                        (double) allocated / written, all);
            }
        }
    }

    /** Writes frames for about {@code roundNanos}; returns how many. */
    private static long run(PcapngWriter w, byte[][] frames, long roundNanos) throws IOException {
        long n = 0;
        long t0 = System.nanoTime();
        long t;
        do {
            for (int i = 0; i < 1024; i++) {
                int k = i & 3;
                w.write(n + i, SEGMENTS[k], PORTS[k], frames[i & 15]);
            }
            n += 1024;
            t = System.nanoTime();
        } while (t - t0 < roundNanos);
        return n;
    }
}
