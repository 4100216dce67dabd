package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.socket.NodeFiles;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.LinuxNetns;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.PcapngWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Linux judges our HTTP, in real time through the external VXLAN port: Linux {@code curl} in a
 * namespace fetches pages from a virtual web server (kind {@code web}, httpd in epoll mode), over
 * one kept-alive connection too; and our {@code curl} reads a chunked response a Linux {@code nc}
 * serves. tshark judges the capture.
 * <pre>
 *   linux 10.62.0.2 (vx62, VNI 62) == [lan 10.62.0.0/24] .1 r1 .1 [dc 10.63.0.0/24] .80 web
 *   underlay: root ns 10.255.62.1/30 (the bus, UDP 4789) -- veth -- namespace 10.255.62.2/30
 * </pre>
 * Needs root, iproute2, ethtool, curl and OpenBSD netcat (skipped without, except on CI).
 */
@Timeout(120)
class HttpLinuxInteropTest {

    private static LinuxNetns linux;
    private static Lab lab;

    @BeforeAll
    static void setUp() throws Exception {
        LinuxNetns.requireRootAndIproute2();
        boolean tools = Files.isExecutable(Path.of("/usr/bin/curl")) && (Files.isExecutable(Path.of("/usr/bin/nc"))
                || Files.isExecutable(Path.of("/bin/nc")));
        if (!tools && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs curl and netcat-openbsd (.ci/run installs them)");
        }
        assumeTrue(tools, "needs curl and OpenBSD netcat");
        linux = LinuxNetns.create("wl-http-interop", "wlhttp0", "10.255.62.1/30", "wlhttp1", "10.255.62.2/30");
        linux.addVxlan("vx62", 62, "10.255.62.2", "10.255.62.1", 4789, "10.62.0.2/24");
        linux.ip("route", "add", "10.63.0.0/24", "via", "10.62.0.1");
        lab = Lab.build(Topologies.parseYaml("""
                name: http-interop
                segments:
                  - { name: lan, vni: 62, mtu: 1450 }
                  - { name: dc, mtu: 1450 }
                nodes:
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan, address: 10.62.0.1/24 }
                      eth1: { segment: dc, address: 10.63.0.1/24 }
                  web:
                    kind: web
                    interfaces: { eth0: { segment: dc, address: 10.63.0.80/24 } }
                    routes: [ { to: default, via: 10.63.0.1 } ]
                    httpd: "--mode epoll -k 5"
                external:
                  - { name: linux, segment: lan, remote: "10.255.62.2:4789" }
                bus: { bind: 10.255.62.1, port: 4789 }
                """), Lab.Options.real());
        lab.start();
        // a bigger file: several segments, flow control and sendfile in real time
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        NodeFiles.of(lab.node("web")).put("/var/www/big.txt", big);
        // httpd starts with the node; in real time, wait until it listens
        long end = System.nanoTime() + 10_000_000_000L;
        while (lab.run("web", "ss -tln", Duration.ofSeconds(5)).output().stream().noneMatch(l -> l.contains(":80 "))
                && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            Captures.save(lab, "http-linux-interop");
            lab.close();
            // Judged one segment at a time: a routed flow seen on two segments looks to tshark like
            // retransmissions of itself, and its TCP reassembly would complain of overlaps.
            for (String segment : List.of("lan", "dc")) {
                Path p = Captures.DIR.resolve("http-linux-interop-" + segment + ".pcapng");
                PcapngWriter.write(lab.trace().frames().stream().filter(f -> f.segment().equals(segment)).toList(),
                        lab.epochUnixNanos(), p);
                if (Tshark.available()) {
                    assertThat(Tshark.judge(p).problems()).as("tshark on " + p).isEmpty();
                    List<Map<String, String>> resp = Tshark.fields(p, false, "http.response && ip.src == 10.63.0.80",
                            "http.response.code");
                    assertThat(resp).isNotEmpty().allSatisfy(r -> assertThat(r.get("http.response.code")).isIn("200", "404"));
                }
            }
        }
        if (linux != null) {
            linux.close();
        }
    }

    @Test
    void linuxCurlFetchesThePagesFromTheVirtualServer() throws Exception {
        LinuxNetns.Result page = linux.exec("curl", "-sS", "--max-time", "10", "http://10.63.0.80/");
        assertThat(page.exitCode()).as(page.out()).isZero();
        assertThat(page.out()).contains("<title>Example Domain</title>");

        LinuxNetns.Result png = linux.exec("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
                "%{http_code} %{size_download} %{content_type}", "http://10.63.0.80/logo.png");
        int size = NodeFiles.of(lab.node("web")).get("/var/www/logo.png").orElseThrow().length;
        assertThat(png.out()).isEqualTo("200 " + size + " image/png");

        LinuxNetns.Result big = linux.exec("curl", "-sS", "--max-time", "20", "-w", "\n%{http_code} %{size_download}",
                "http://10.63.0.80/big.txt");
        assertThat(big.exitCode()).as(big.out()).isZero();
        assertThat(big.out()).endsWith("\n200 200000");
        assertThat(big.out()).startsWith("abcdefghijklmnopqrstuvwxyzabc");

        LinuxNetns.Result missing = linux.exec("curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "http://10.63.0.80/nope");
        assertThat(missing.out()).isEqualTo("404");
    }

    @Test
    void linuxCurlKeepsTheConnectionAliveAcrossRequests() throws Exception {
        LinuxNetns.Result r = linux.exec("curl", "-sS", "-v", "--max-time", "10", "-o", "/dev/null", "-o", "/dev/null",
                "http://10.63.0.80/hello.txt", "http://10.63.0.80/data.json");
        assertThat(r.exitCode()).as(r.out()).isZero();
        // curl 7.x says "Re-using existing connection! (#0)", 8.x "Re-using existing connection #0"
        assertThat(r.out()).containsPattern("Re-using existing connection");
        assertThat(r.out()).contains("< HTTP/1.1 200 OK").contains("< Server: wirelab-httpd");
        LinuxNetns.Result head = linux.exec("curl", "-sS", "-I", "--max-time", "10", "http://10.63.0.80/hello.txt");
        assertThat(head.out()).contains("Content-Length: 33").contains("Content-Type: text/plain; charset=utf-8");
    }

    @Test
    void ourCurlReadsAChunkedResponseFromLinux() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n6\r\nHello \r\n6\r\nLinux!\r\n0\r\n\r\n";
        Path file = Files.createTempFile("http-response", ".txt");
        Files.writeString(file, response, StandardCharsets.ISO_8859_1);
        // OpenBSD nc: listen, send the canned response, quit one second after its end of input.
        Process nc = new ProcessBuilder("ip", "netns", "exec", "wl-http-interop", "sh", "-c",
                "nc -l -q 1 10.62.0.2 8080 < " + file).redirectErrorStream(true).start();
        try {
            ExecResult r = null;
            for (int attempt = 0; attempt < 20; attempt++) { // until nc listens
                r = lab.run("web", "curl -sS -w '\\n%{http_code}' http://10.62.0.2:8080/", Duration.ofSeconds(10));
                if (r.exitCode() != 7) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly("Hello Linux!", "200");
        } finally {
            nc.destroy();
            nc.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(file);
        }
    }
}
