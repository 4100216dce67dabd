package dev.wirelab.nodeservice.bench;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * Load for one bus hop, as two node containers make it (bench/containers.sh runs it): {@code send}
 * puts VXLAN frames (RFC 7348 section 5) from one NIC port as fast as the socket takes them,
 * {@code sink} counts those that arrive at another; between them, on the host, either the bus
 * ({@code bus}: a lab with no nodes whose two external ports are the containers) or the plain Java
 * UDP forwarder it is compared with ({@code forward}: receive a datagram, send it on).
 * <pre>
 *   send HOST:PORT SECONDS [LOCALPORT]     sink PORT SECONDS
 *   bus BINDIP:PORT A_IP:PORT B_IP:PORT SECONDS     forward BINDIP:PORT B_IP:PORT SECONDS
 * </pre>
 */
public final class VxlanLoad {

    static final int VNI = 4242;
    static final int FRAME = 128;

    private VxlanLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "send" -> send(address(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 4789);
            case "sink" -> sink(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "bus" -> bus(args[1], args[2], args[3], Integer.parseInt(args[4]));
            case "forward" -> forward(address(args[1]), address(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: VxlanLoad send|sink|bus|forward ... (see the class comment)");
                System.exit(2);
            }
        }
    }

    static InetSocketAddress address(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, c), Integer.parseInt(hostPort.substring(c + 1)));
    }

    /** A VXLAN datagram: flags (I), the VNI, then an Ethernet frame from 02:..:0a to 02:..:0b, EtherType 0x88B5. */
    static byte[] datagram() {
        byte[] d = new byte[8 + FRAME];
        d[0] = 0x08;
        d[4] = (byte) (VNI >>> 16);
        d[5] = (byte) (VNI >>> 8);
        d[6] = (byte) VNI;
        byte[] dst = {0x02, 0, 0, 0, 0, 0x0b};
        byte[] src = {0x02, 0, 0, 0, 0, 0x0a};
        System.arraycopy(dst, 0, d, 8, 6);
        System.arraycopy(src, 0, d, 14, 6);
        d[20] = (byte) 0x88;
        d[21] = (byte) 0xB5; // IEEE 802 local experimental EtherType
        return d;
    }

    static void send(InetSocketAddress to, int seconds, int localPort) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(localPort));
            ch.connect(to);
            ByteBuffer b = ByteBuffer.wrap(datagram());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 256; i++) {
                    b.rewind();
                    try {
                        ch.write(b);
                        sent++;
                    } catch (IOException refused) {
                        // ICMP port unreachable before the far side listens
                    }
                }
            }
            System.out.printf("sent %d frames in %d s: %.0f frames/s%n", sent, seconds, sent / (double) seconds);
        }
    }

    static void sink(int port, int seconds) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(new InetSocketAddress(port));
            ch.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocate(2048);
            ch.receive(b); // the first frame starts the clock
            long first = System.nanoTime();
            long got = 1;
            closeAfter(ch, seconds);
            try {
                while (true) {
                    b.clear();
                    ch.receive(b);
                    got++;
                }
            } catch (java.nio.channels.ClosedChannelException done) {
                // the time is up
            }
            double s = (System.nanoTime() - first) / 1e9;
            System.out.printf("received %d frames in %.1f s: %.0f frames/s%n", got, s, got / s);
        }
    }

    /** Blocking loops end when their channel is closed: after {@code seconds}. */
    private static void closeAfter(DatagramChannel ch, int seconds) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                ch.close();
            } catch (InterruptedException | IOException e) {
                // ends with the process
            }
        });
    }

    /** The bus between two external ports, for {@code seconds}, capturing nowhere. */
    static void bus(String bind, String a, String b, int seconds) throws Exception {
        InetSocketAddress at = address(bind);
        String yaml = """
                name: bus-hop
                segments: [ { name: s, vni: %d } ]
                nodes:
                  placeholder: { kind: host, interfaces: { eth0: { segment: s, address: 10.0.0.1/24 } } }
                external:
                  - { name: a, segment: s, remote: "%s" }
                  - { name: b, segment: s, remote: "%s" }
                bus: { bind: %s, port: %d }
                """.formatted(VNI, a, b, at.getHostString(), at.getPort());
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.real().withoutMemoryTrace().withNodesElsewhere())) {
            lab.start();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            lab.bus().counters().forEach(c -> System.out.println("bus port " + c.port() + ": rx " + c.rxFrames() + " tx "
                    + c.txFrames() + " drops " + c.drops()));
        }
    }

    /** The plain Java UDP forwarder: every datagram to {@code to}, nothing looked at. */
    static void forward(InetSocketAddress bind, InetSocketAddress to, int seconds) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.bind(bind);
            ByteBuffer b = ByteBuffer.allocateDirect(2048);
            long n = 0;
            closeAfter(ch, seconds);
            try {
                while (true) {
                    b.clear();
                    ch.receive(b);
                    b.flip();
                    ch.send(b, to);
                    n++;
                }
            } catch (java.nio.channels.ClosedChannelException done) {
                // the time is up
            }
            System.out.println("forwarded " + n + " datagrams");
        }
    }
}
