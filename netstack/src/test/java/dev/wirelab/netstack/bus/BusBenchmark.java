package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.link.VxlanLink;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;
import dev.wirelab.netstack.wire.MacAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Bus forwarding throughput (a benchmark, not a test; run it with {@code bench/bus-bench.sh}).
 * <ol>
 *   <li>(a) in memory: one thread sends unicast frames between two ports of a segment, no
 *       impairments, a trace sink that only counts;</li>
 *   <li>(b) UDP: VxlanLink -> the bus's VXLAN endpoint -> VxlanLink, all on 127.0.0.1;</li>
 *   <li>(c) the same shape in plain Java: a UDP sender -> a forwarder (receive, send on) -> a
 *       receiver, with datagrams of the same size, measured in the same run.</li>
 * </ol>
 * The UDP paths are driven with a window of frames in flight (so the figure is a loss-free rate,
 * not how fast a socket buffer overflows). Arguments: [frameBytes] [secondsPerRun].
 */
public final class BusBenchmark {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final MacAddress SRC = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress DST = MacAddress.parse("02:00:00:00:00:02");
    private static final int WINDOW = 128;

    public static void main(String[] args) throws Exception {
        int frameBytes = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        byte[] frame = new byte[frameBytes];
        DST.write(frame, 0);
        SRC.write(frame, 6);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xB5;

        System.out.printf(Locale.ROOT, "Wirelab bus benchmark: %d-byte frames, %.1f s per run, %d cores, Java %s%n",
                frameBytes, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        double a = inMemory(frame, seconds);
        System.out.printf(Locale.ROOT, "(a) in-memory segment, 2 ports           : %,12.0f frames/s  (target >= 1,000,000)%n", a);
        // UDP paths three times, interleaved, best of each: the machine is shared (2 cores), so
        // the least disturbed run of each path is the fairest comparison. Every round is printed.
        double b = 0;
        double c = 0;
        for (int round = 1; round <= 3; round++) {
            double rc = rawForwarder(frameBytes + 8, seconds);
            double rb = vxlanThroughBus(frame, seconds);
            System.out.printf(Locale.ROOT, "    round %d: (b) %,10.0f   (c) %,10.0f frames/s%n", round, rb, rc);
            b = Math.max(b, rb);
            c = Math.max(c, rc);
        }
        System.out.printf(Locale.ROOT, "(b) VxlanLink -> bus endpoint -> VxlanLink: %,12.0f frames/s%n", b);
        System.out.printf(Locale.ROOT, "(c) raw Java UDP forwarder, same shape    : %,12.0f frames/s%n", c);
        System.out.printf(Locale.ROOT, "ratio (b)/(c)                              : %12.2f         (target >= 0.60)%n", b / c);
    }

    /** A trace sink that only counts, as the bus's cheapest possible capture. */
    private static final class CountingSink implements TraceSink {
        final AtomicLong frames = new AtomicLong();

        @Override
        public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
            frames.incrementAndGet();
        }

        @Override
        public void event(TraceEvent event) {
        }
    }

    static double inMemory(byte[] frame, double seconds) {
        try (RealTimeLoop loop = new RealTimeLoop("bench-bus", new RealTimeClock())) {
            CountingSink sink = new CountingSink();
            Bus bus = new Bus(loop, sink, 1);
            bus.addSegment("lan", 1);
            Link a = bus.connect("lan", "a:eth0");
            Link b = bus.connect("lan", "b:eth0");
            long[] received = new long[1];
            b.setReceiver(f -> received[0]++);
            byte[] hello = frame.clone();
            SRC.write(hello, 0);
            DST.write(hello, 6);
            b.send(hello); // the switch learns b, so a's frames are unicast
            run(() -> a.send(frame), 0.5);
            long r0 = received[0];
            long start = System.nanoTime();
            long n = run(() -> a.send(frame), seconds);
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (received[0] - r0 != n) {
                throw new IllegalStateException("lost frames in memory: sent " + n + ", got " + (received[0] - r0));
            }
            return n / elapsed;
        }
    }

    private static long run(Runnable send, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        while (true) {
            for (int i = 0; i < 1024; i++) {
                send.run();
            }
            n += 1024;
            if (System.nanoTime() >= end) {
                return n;
            }
        }
    }

    /** Something that forwards datagrams from a sender to a receiver. */
    private interface UdpPath extends AutoCloseable {
        void send();

        long received();

        @Override
        void close() throws Exception;
    }

    static double vxlanThroughBus(byte[] frame, double seconds) throws Exception {
        RealTimeLoop loop = new RealTimeLoop("bench-bus", new RealTimeClock());
        Bus bus = new Bus(loop, new CountingSink(), 1);
        bus.addSegment("lan", 1);
        VxlanEndpoint ep = bus.listenVxlan(LOOPBACK);
        VxlanLink a = VxlanLink.open(LOOPBACK, ep.localAddress(), 1);
        VxlanLink b = VxlanLink.open(LOOPBACK, ep.localAddress(), 1);
        AtomicLong got = new AtomicLong();
        b.setReceiver(f -> got.lazySet(got.get() + 1)); // one reader thread writes it
        byte[] hello = frame.clone();
        SRC.write(hello, 0);
        DST.write(hello, 6);
        b.send(hello); // learned: a's frames to DST go to b's port only
        long until = System.nanoTime() + 2_000_000_000L;
        while (bus.segment("lan").ports().size() < 1 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        UdpPath path = new UdpPath() {
            @Override
            public void send() {
                a.send(frame);
            }

            @Override
            public long received() {
                return got.get();
            }

            @Override
            public void close() {
                a.close();
                b.close();
                bus.close();
                loop.close();
            }
        };
        try (path) {
            return measure(path, seconds);
        }
    }

    static double rawForwarder(int datagramBytes, double seconds) throws Exception {
        DatagramChannel forwarder = open();
        DatagramChannel receiver = open();
        DatagramChannel sender = open();
        InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
        sender.connect(forwarder.getLocalAddress());
        receiver.connect(forwarder.getLocalAddress()); // like a VxlanLink: connected, read()
        Thread fwd = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    buf.clear();
                    SocketAddress from = forwarder.receive(buf);
                    if (from == null) {
                        continue;
                    }
                    buf.flip();
                    forwarder.send(buf, to);
                }
            } catch (IOException e) {
                // closed: done
            }
        }, "bench-raw-forwarder");
        AtomicLong got = new AtomicLong();
        Thread rcv = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    buf.clear();
                    receiver.read(buf);
                    got.lazySet(got.get() + 1);
                }
            } catch (ClosedChannelException e) {
                // done
            } catch (IOException e) {
                // done
            }
        }, "bench-raw-receiver");
        fwd.setDaemon(true);
        rcv.setDaemon(true);
        fwd.start();
        rcv.start();
        ByteBuffer out = ByteBuffer.allocateDirect(datagramBytes);
        UdpPath path = new UdpPath() {
            @Override
            public void send() {
                out.clear();
                out.position(datagramBytes);
                out.flip();
                try {
                    sender.write(out);
                } catch (IOException e) {
                    // counted as not received
                }
            }

            @Override
            public long received() {
                return got.get();
            }

            @Override
            public void close() throws IOException {
                sender.close();
                forwarder.close();
                receiver.close();
            }
        };
        try (path) {
            return measure(path, seconds);
        }
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(LOOPBACK);
        return ch;
    }

    /** Sends with at most WINDOW frames in flight; a frame lost for 20 ms is written off. */
    private static double measure(UdpPath path, double seconds) {
        windowed(path, 0.5);
        long r0 = path.received();
        long start = System.nanoTime();
        windowed(path, seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return (path.received() - r0) / elapsed;
    }

    private static void windowed(UdpPath path, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long sent = 0;
        long base = path.received();
        long lost = 0;
        long stalledSince = 0;
        while (System.nanoTime() < end) {
            long inFlight = sent - (path.received() - base) - lost;
            if (inFlight >= WINDOW) {
                long now = System.nanoTime();
                if (stalledSince == 0) {
                    stalledSince = now;
                } else if (now - stalledSince > 20_000_000L) {
                    lost += inFlight;
                    stalledSince = 0;
                }
                LockSupport.parkNanos(5_000);
                continue;
            }
            stalledSince = 0;
            path.send();
            sent++;
        }
        // let the pipeline drain before the next phase
        long drainUntil = System.nanoTime() + 50_000_000L;
        while (sent - (path.received() - base) - lost > 0 && System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(100_000);
        }
    }

    private BusBenchmark() {
    }
}
