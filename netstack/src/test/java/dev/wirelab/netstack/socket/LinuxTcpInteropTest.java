package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.LinuxNetns;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Linux's TCP judges ours, in real time through the external VXLAN port: Linux {@code nc} talks to
 * a virtual echo server, and a virtual {@code nc} to a Linux {@code nc -l}; the bytes arrive
 * intact both ways and both sides close with FINs, no reset.
 * <pre>
 *   linux 10.79.0.2 (vx0, VNI 4301) == [lan 10.79.0.0/24] .1 r1 .1 [back 10.80.0.0/24] .10 h1
 *   underlay: root ns 10.255.(200+)/30 (the bus, UDP 4789) -- veth -- the test's namespace
 * </pre>
 * Both segments have the vxlan device's MTU (1450), so no path MTU discovery: tshark would
 * call the TCP segment quoted (truncated) in an ICMP "fragmentation needed" a bad checksum.
 * Needs root, iproute2, ethtool and OpenBSD netcat (skipped without, except on CI).
 */
@Timeout(120)
class LinuxTcpInteropTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final String NS = "wlsock-" + PID;
    private static final String VETH = "wls" + PID;
    // A /30 in 10.255.200.0 .. 10.255.255.252, apart from the ranges of the other interop tests.
    private static final int NET = (int) (PID % (56 * 64));
    private static final String ROOT_IP = "10.255." + (200 + NET / 64) + "." + (NET % 64 * 4 + 1);
    private static final String NS_IP = "10.255." + (200 + NET / 64) + "." + (NET % 64 * 4 + 2);

    private static LinuxNetns linux;
    private static Lab lab;
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        LinuxNetns.requireRootAndIproute2();
        boolean nc = Files.isExecutable(Path.of("/usr/bin/nc")) || Files.isExecutable(Path.of("/bin/nc"));
        if (!nc && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs netcat-openbsd (.ci/run installs it)");
        }
        assumeTrue(nc, "needs OpenBSD netcat (apt-get install netcat-openbsd)");
        linux = LinuxNetns.create(NS, VETH + "a", ROOT_IP + "/30", VETH + "b", NS_IP + "/30");
        linux.addVxlan("vx0", 4301, NS_IP, ROOT_IP, 4789, "10.79.0.2/24");
        linux.ip("route", "add", "10.80.0.0/24", "via", "10.79.0.1");
        lab = Lab.build(Topologies.parseYaml("""
                name: sock-interop
                segments:
                  - { name: lan, vni: 4301, mtu: 1450 }
                  - { name: back, mtu: 1450 }
                nodes:
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan, address: 10.79.0.1/24 }
                      eth1: { segment: back, address: 10.80.0.1/24 }
                  h1:
                    kind: host
                    interfaces: { eth0: { segment: back, address: 10.80.0.10/24 } }
                    routes: [ { to: default, via: 10.80.0.1 } ]
                external:
                  - { name: linux, segment: lan, remote: "%s:4789" }
                bus: { bind: %s, port: 4789 }
                """.formatted(NS_IP, ROOT_IP)), Lab.Options.real());
        lab.start();
        dir = Files.createTempDirectory("wlsock");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            Path capture = Captures.save(lab, "LinuxTcpInteropTest/linux-tcp-interop");
            lab.close();
            if (Tshark.available()) {
                assertThat(SegmentJudge.problems(capture)).as("tshark on " + capture).isEmpty();
                // No connection ended in a reset: every close was the FIN exchange.
                List<Map<String, String>> resets = Tshark.fields(capture, false, "tcp.flags.reset == 1", "frame.number");
                assertThat(resets).as("resets in " + capture).isEmpty();
            }
        }
        if (linux != null) {
            linux.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void linuxNcTalksToAVirtualEchoServer() throws Exception {
        lab.exec("h1", "echod -n 1", line -> { });
        Thread.sleep(200);
        byte[] data = random(200_000, 1);
        Path in = dir.resolve("to-echo");
        Path out = dir.resolve("from-echo");
        Files.write(in, data);
        // -N: shutdown(SHUT_WR) after the file, then read the echo until the server closes
        LinuxNetns.Result r = linux.exec("sh", "-c", "timeout 30 nc -N -w 10 10.80.0.10 7 < " + in + " > " + out);
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        // Linux closed cleanly: its side of the connection is in TIME-WAIT or gone, never reset.
        LinuxNetns.Result ss = linux.exec("ss", "-tan", "dst", "10.80.0.10");
        assertThat(ss.out()).doesNotContain("ESTAB").doesNotContain("CLOSE-WAIT");
    }

    @Test
    void virtualNcTalksToALinuxListener() throws Exception {
        byte[] toLinux = random(150_000, 2);
        byte[] fromLinux = random(120_000, 3);
        Path got = dir.resolve("linux-got");
        Path send = dir.resolve("linux-sends");
        Files.write(send, fromLinux);
        java.lang.Process listener = new ProcessBuilder("ip", "netns", "exec", NS, "sh", "-c",
                "timeout 30 nc -l -p 6000 < " + send + " > " + got).redirectErrorStream(true).start();
        Thread.sleep(300);
        NodeFiles.of(lab.node("h1")).put("/data/to-linux", toLinux);
        ExecResult r = lab.run("h1", "nc -N -w 10 --send-file /data/to-linux --recv-file /data/from-linux 10.79.0.2 6000",
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.text()).isZero();
        assertThat(listener.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(listener.exitValue()).as(new String(listener.getInputStream().readAllBytes())).isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(toLinux);
        assertThat(NodeFiles.of(lab.node("h1")).get("/data/from-linux")).hasValue(fromLinux);
    }
}
