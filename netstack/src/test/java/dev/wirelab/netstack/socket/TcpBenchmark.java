package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CapturedFrame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * TCP goodput of the embedded runtime in real time (a benchmark, not a test; run it with
 * {@code bench/tcp-bench.sh}, which measures Linux beside it): {@code iperf} from h1 to h2 through
 * router r1, every node on its own loop thread, the bus recording every frame (capture on).
 * Prints the iperf output and, last, {@code GOODPUT_BPS <bits per second>} (the receiver's figure).
 * Argument: [seconds] (default 3).
 */
public final class TcpBenchmark {

    private TcpBenchmark() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String yaml = """
                name: tcp-bench
                segments: [lan1, lan2]
                nodes:
                  h1:
                    kind: host
                    interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }
                    routes: [ { to: default, via: 10.0.1.1 } ]
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan1, address: 10.0.1.1/24 }
                      eth1: { segment: lan2, address: 10.0.2.1/24 }
                  h2:
                    kind: host
                    interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }
                    routes: [ { to: default, via: 10.0.2.1 } ]
                """;
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.real())) {
            lab.start();
            List<String> server = Collections.synchronizedList(new ArrayList<>());
            lab.exec("h2", "iperf -s -1", server::add);
            sleep(200);
            long t0 = System.nanoTime();
            ExecResult c = lab.run("h1", "iperf -c 10.0.2.10 -t " + seconds, Duration.ofSeconds(seconds + 30L));
            long wall = System.nanoTime() - t0;
            c.output().forEach(System.out::println);
            List<CapturedFrame> frames = lab.trace().frames();
            long bytes = frames.stream().mapToLong(f -> f.bytes().length).sum();
            System.out.printf(Locale.ROOT, "capture: %d frames, %.1f MB on the bus in %.2f s of wall time%n",
                    frames.size(), bytes / 1e6, wall / 1e9);
            String receiver = c.output().stream().filter(l -> l.endsWith("receiver")).findFirst().orElseThrow(
                    () -> new IllegalStateException("no receiver line: " + c.text()));
            System.out.println("GOODPUT_BPS " + bitsPerSecond(receiver));
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
