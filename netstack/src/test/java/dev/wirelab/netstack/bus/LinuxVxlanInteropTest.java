package dev.wirelab.netstack.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.RealTimeClock;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.MacAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Linux kernel as the judge of the bus at L2. A network namespace holds a veth end and a
 * standard Linux {@code vxlan} device pointed at the bus; the bus, bound on the root veth end,
 * has an external port pointing back. An in-memory node on the same segment ARPs for the vxlan
 * device's address and must get the kernel's reply; the kernel's own ARP request reaches it too.
 *
 * <p>Needs root and iproute2: skipped without them, except on CI (CI=true), where it fails.
 */
@Timeout(60)
class LinuxVxlanInteropTest {

    // Unique per JVM: several checkouts of this project may run this test on one machine at once.
    private static final long PID = ProcessHandle.current().pid();
    private static final String NS = "wlbus-" + PID;
    private static final String VETH_ROOT = "wlb" + PID + "a";
    private static final String VETH_NS = "wlb" + PID + "b";
    private static final int NET = (int) (PID % (200 * 64)); // a /30 in 10.255.0.0/16 .. 10.255.199.252/30
    private static final String ROOT_IP = "10.255." + (NET / 64) + "." + (NET % 64 * 4 + 1);
    private static final String NS_IP = "10.255." + (NET / 64) + "." + (NET % 64 * 4 + 2);
    private static final int VNI = 4201;
    private static final byte[] NODE_IP = {(byte) 192, (byte) 168, (byte) 201, 1};
    private static final byte[] LINUX_IP = {(byte) 192, (byte) 168, (byte) 201, 2};
    private static final MacAddress NODE_MAC = MacAddress.parse("02:00:00:c9:00:01");
    private static final MacAddress LINUX_MAC = MacAddress.parse("02:00:00:c9:00:02");

    private static RealTimeLoop loop;
    private static TraceRecorder trace;
    private static Bus bus;
    private static Link node;
    private static Receiver received;

    @BeforeAll
    static void setUp() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root = "0".equals(run(false, "id", "-u").trim());
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip"));
        if (!(root && ip)) {
            if (ci) {
                fail("Linux interop needs root and iproute2 (root=" + root + ", ip=" + ip + ") and CI=true forbids skipping");
            }
            assumeTrue(false, "Linux interop needs root and iproute2");
        }
        cleanUp();
        run(true, "ip", "netns", "add", NS);
        run(true, "ip", "link", "add", VETH_ROOT, "type", "veth", "peer", "name", VETH_NS, "netns", NS);
        run(true, "ip", "addr", "add", ROOT_IP + "/30", "dev", VETH_ROOT);
        run(true, "ip", "link", "set", VETH_ROOT, "up");
        run(true, "ip", "-n", NS, "link", "set", "lo", "up");
        run(true, "ip", "-n", NS, "addr", "add", NS_IP + "/30", "dev", VETH_NS);
        run(true, "ip", "-n", NS, "link", "set", VETH_NS, "up");
        loop = new RealTimeLoop("bus", new RealTimeClock());
        trace = new TraceRecorder();
        bus = new Bus(loop, trace, 1);
        bus.addSegment("lan", VNI);
        // The bus takes a free port on the root veth address; the Linux device uses it as dstport.
        int port = bus.listenVxlan(new InetSocketAddress(InetAddress.getByName(ROOT_IP), 0)).localAddress().getPort();
        run(true, "ip", "-n", NS, "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI),
                "remote", ROOT_IP, "dstport", String.valueOf(port), "local", NS_IP);
        run(true, "ip", "-n", NS, "link", "set", "vx0", "address", LINUX_MAC.toString());
        run(true, "ip", "-n", NS, "addr", "add", "192.168.201.2/24", "dev", "vx0");
        run(true, "ip", "-n", NS, "link", "set", "vx0", "up");
        bus.addExternalPort("lan", "linux", new InetSocketAddress(InetAddress.getByName(NS_IP), port));
        node = bus.connect("lan", "node:eth0");
        received = new Receiver(loop);
        node.setReceiver(received);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bus != null) {
            PcapngWriter.write(trace, loop.epochUnixNanos(), Path.of("target", "captures", "linux-vxlan-interop.pcapng"));
            bus.close();
            loop.close();
        }
        cleanUp();
    }

    private static void cleanUp() throws InterruptedException {
        try {
            run(false, "ip", "netns", "del", NS); // takes the ns end of the veth, and so the pair, with it
            run(false, "ip", "link", "del", VETH_ROOT);
        } catch (IOException e) {
            // no ip command: nothing was created
        }
    }

    @Test
    void kernelAnswersAnArpRequestFromAVirtualNode() throws Exception {
        byte[] reply = null;
        for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
            node.send(arp(1, NODE_MAC, NODE_IP, MacAddress.ZERO, LINUX_IP, MacAddress.BROADCAST));
            long end = System.currentTimeMillis() + 1000;
            while (reply == null && System.currentTimeMillis() < end) {
                received.await(received.count() + 1, 100);
                reply = received.frames().stream().map(Receiver.Got::frame)
                        .filter(f -> isArp(f, 2) && java.util.Arrays.equals(f, 28, 32, LINUX_IP, 0, 4))
                        .findFirst().orElse(null);
            }
        }
        assertThat(reply).as("ARP reply from the Linux vxlan device").isNotNull();
        assertThat(MacAddress.read(reply, 0)).isEqualTo(NODE_MAC);   // to us
        assertThat(MacAddress.read(reply, 6)).isEqualTo(LINUX_MAC);  // from the vxlan device
        assertThat(MacAddress.read(reply, 22)).isEqualTo(LINUX_MAC); // sender hardware address
        assertThat(java.util.Arrays.copyOfRange(reply, 38, 42)).isEqualTo(NODE_IP); // target protocol address
        assertThat(bus.segment("lan").macTable()).containsEntry(LINUX_MAC, "linux").containsEntry(NODE_MAC, "node:eth0");
        assertThat(bus.segment("lan").counters("linux").rxFrames()).isGreaterThanOrEqualTo(1);
        assertThat(bus.vxlanEndpoint().counters().badHeader()).isZero();
        assertThat(run(false, "ip", "-n", NS, "neigh", "show", "dev", "vx0")).contains("192.168.201.1", NODE_MAC.toString());
    }

    @Test
    void kernelArpRequestsAndPingsReachTheVirtualNode() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ping")) || Files.isExecutable(Path.of("/bin/ping"))
                || "true".equals(System.getenv("CI")), "ping is not installed");
        run(false, "ip", "-n", NS, "neigh", "flush", "dev", "vx0");
        // The virtual node answers ARP for 192.168.201.1 so the kernel goes on to send the echo request.
        node.setReceiver(f -> {
            received.onFrame(f);
            if (isArp(f, 1) && java.util.Arrays.equals(f, 38, 42, NODE_IP, 0, 4)) {
                MacAddress asker = MacAddress.read(f, 22);
                byte[] askerIp = java.util.Arrays.copyOfRange(f, 28, 32);
                node.send(arp(2, NODE_MAC, NODE_IP, asker, askerIp, asker));
            }
        });
        received.clear();
        Process ping = new ProcessBuilder("ip", "netns", "exec", NS, "ping", "-c", "1", "-W", "2", "192.168.201.1")
                .redirectErrorStream(true).start();
        ping.waitFor(10, TimeUnit.SECONDS);
        ping.destroyForcibly();
        List<byte[]> frames = received.frames().stream().map(Receiver.Got::frame).toList();
        assertThat(frames).anySatisfy(f -> {
            assertThat(isArp(f, 1)).isTrue();
            assertThat(MacAddress.read(f, 6)).isEqualTo(LINUX_MAC);
        });
        assertThat(frames).as("ICMP echo request from Linux").anySatisfy(f -> {
            assertThat(MacAddress.read(f, 0)).isEqualTo(NODE_MAC);
            assertThat(f[12] & 0xFF).isEqualTo(0x08);
            assertThat(f[13] & 0xFF).isEqualTo(0x00);
            assertThat(f[14 + 9]).isEqualTo((byte) 1);  // IPv4 protocol ICMP
            assertThat(f[14 + 20]).isEqualTo((byte) 8); // echo request
        });
    }

    private static boolean isArp(byte[] f, int op) {
        return f.length >= 42 && (f[12] & 0xFF) == 0x08 && (f[13] & 0xFF) == 0x06 && f[20] == 0 && f[21] == op;
    }

    /** An Ethernet II frame with an ARP packet (RFC 826) for IPv4 over Ethernet, padded to 60 bytes. */
    private static byte[] arp(int op, MacAddress sha, byte[] spa, MacAddress tha, byte[] tpa, MacAddress dst) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(dst.toBytes()).put(sha.toBytes()).putShort((short) 0x0806);
        b.putShort((short) 1);       // hardware type: Ethernet
        b.putShort((short) 0x0800);  // protocol type: IPv4
        b.put((byte) 6).put((byte) 4).putShort((short) op);
        b.put(sha.toBytes()).put(spa).put(tha.toBytes()).put(tpa);
        return b.array();
    }

    /** Runs a command; with {@code check}, a non-zero exit fails the test with the output. */
    private static String run(boolean check, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (check && p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
