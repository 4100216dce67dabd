package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Goodput of one bulk transfer h1 -> r1 -> h2 in the embedded runtime, real time, capture on (the
 * lab records every frame), through the engine API. Not a test: run it with
 * {@code bench/tcp-engine-bench.sh [megabytes] [rounds] [bufferBytes]}.
 */
public final class TcpEngineBenchmark {

    static final String TOPOLOGY = """
            name: tcp-bench
            segments: [lan1, lan2]
            nodes:
              h1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } },
                    routes: [ { to: default, via: 10.0.1.1 } ] }
              r1: { kind: router, interfaces: { eth0: { segment: lan1, address: 10.0.1.1/24 },
                                                eth1: { segment: lan2, address: 10.0.2.1/24 } } }
              h2: { kind: host, interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } },
                    routes: [ { to: default, via: 10.0.2.1 } ] }
            """;

    private TcpEngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // Linux autotunes its buffers up to tcp_rmem[2]/tcp_wmem[2] (6 MB / 4 MB); we take 4 MB outright.
        int buffer = args.length > 2 ? Integer.parseInt(args[2]) : 4 << 20;
        for (int round = 1; round <= rounds; round++) {
            double mbps = once(megabytes, TcpOptions.DEFAULT.withSendBuffer(buffer).withReceiveBuffer(buffer));
            System.out.printf("round %d: %d MB h1 -> r1 -> h2 in real time: %.1f Mbit/s goodput%n", round, megabytes, mbps);
        }
    }

    static double once(int megabytes, TcpOptions opts) throws Exception {
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY), Lab.Options.real())) {
            lab.start();
            Node h1 = lab.node("h1");
            Node h2 = lab.node("h2");
            long total = (long) megabytes << 20;
            byte[] chunk = new byte[1 << 16];
            new Random(1).nextBytes(chunk);
            CompletableFuture<Long> done = new CompletableFuture<>();
            CompletableFuture<Void> listening = new CompletableFuture<>();
            h2.loop().execute(() -> {
                TcpListener l = TcpLayer.of(h2).listen(Ipv4Address.ANY, 5001, 8, opts);
                l.setListener(() -> {
                    TcpConnection c = l.accept();
                    long[] got = {0};
                    byte[] buf = new byte[1 << 16];
                    c.setListener(new TcpConnection.Listener() {
                        @Override
                        public void onReadable() {
                            int n;
                            while ((n = c.receive(buf, 0, buf.length)) > 0) {
                                got[0] += n;
                            }
                            if (n < 0) {
                                done.complete(got[0]);
                                c.close();
                            }
                        }
                    });
                });
                listening.complete(null);
            });
            listening.get(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            h1.loop().execute(() -> {
                TcpConnection c = TcpLayer.of(h1).connect(null, 0, Ipv4Address.parse("10.0.2.10"), 5001, opts);
                long[] sent = {0};
                c.setListener(new TcpConnection.Listener() {
                    @Override
                    public void onEstablished() {
                        onWritable();
                    }

                    @Override
                    public void onWritable() {
                        while (sent[0] < total && c.state() == TcpState.ESTABLISHED) {
                            int n = c.send(chunk, 0, (int) Math.min(chunk.length, total - sent[0]));
                            if (n == 0) {
                                return;
                            }
                            sent[0] += n;
                        }
                        if (sent[0] == total && c.state() == TcpState.ESTABLISHED) {
                            c.shutdownOutput();
                        }
                    }
                });
            });
            long received = done.get(10, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (received != total) {
                throw new IllegalStateException("received " + received + " of " + total);
            }
            var k = h1.counters();
            System.out.printf("  h1: %d segments sent, %d retransmitted (%d by timeout), %d fast retransmits; %d trace events%n",
                    k.getOrDefault("tcp.sent", 0L), k.getOrDefault("tcp.retransmitted", 0L),
                    k.getOrDefault("tcp.retransmitted.timeout", 0L), k.getOrDefault("tcp.fast_retransmits", 0L),
                    lab.trace().events().size());
            java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
            lab.trace().events().forEach(e -> kinds.merge(e.node() + " " + e.layer() + "/" + e.kind(), 1L, Long::sum));
            kinds.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> System.out.printf("    %7d %s%n", e.getValue(), e.getKey()));
            return received * 8 / seconds / 1e6;
        }
    }
}
