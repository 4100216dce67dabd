package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.dhcp.DhcpServer;
import dev.wirelab.netstack.dhcp.Lease;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.LinuxNetns;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real Linux programs against the virtual DHCP and DNS servers, through a kernel VXLAN device that
 * joins segment "lan" (real time):
 * <ol>
 *   <li>ISC {@code dhclient} in a namespace gets its lease from the virtual DHCP server (and releases it);</li>
 *   <li>BIND's {@code dig @10.0.0.53 www.example.com} gets the answer of the virtual recursive resolver,
 *       which walks the virtual root, com. and example.com. servers;</li>
 *   <li>the virtual resolver resolves {@code www.linux.test} through {@code dnsmasq} in the namespace,
 *       authoritative for linux.test., which the virtual root delegates to it.</li>
 * </ol>
 * <pre>
 *   linux (vxdd, DHCP -> 192.168.77.100, dnsmasq) == [lan 192.168.77.0/24] == .1 r1 .1 == [dc 10.0.0.0/24]
 *   dhcp1 .2 on lan; resolver .53, root .10, tld .20, example .30, web .80 on dc
 *   underlay: a /30 in 10.255.200.0/21 (root ns: the bus) -- veth -- namespace, names unique per JVM
 * </pre>
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhcpDnsLinuxInteropTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final String NS = "wldd-" + PID;
    private static final int NET = (int) (PID % (8 * 64)); // a /30 in 10.255.200.0/21, away from the bus test's range
    private static final String ROOT_IP = "10.255." + (200 + NET / 64) + "." + (NET % 64 * 4 + 1);
    private static final String NS_IP = "10.255." + (200 + NET / 64) + "." + (NET % 64 * 4 + 2);
    private static final String DEV = "vxdd";
    private static final MacAddress LINUX_MAC = MacAddress.parse("02:dd:00:00:00:64");

    private static LinuxNetns linux;
    private static Lab lab;
    private static Path tmp;

    static String topology(int busPort) {
        return """
                name: dhcp-dns-interop
                segments: [ { name: lan, vni: 4077, mtu: 1450 }, dc ]
                nodes:
                  r1: { kind: router, interfaces: { eth0: { segment: lan, address: 192.168.77.1/24 },
                                                    eth1: { segment: dc, address: 10.0.0.1/24 } } }
                  dhcp1:
                    kind: dhcp
                    interfaces: { eth0: { segment: lan, address: 192.168.77.2/24 } }
                    pool: { range: 192.168.77.100-192.168.77.110, gateway: 192.168.77.1, dns: [10.0.0.53],
                            domain: lab.test, lease: 1h }
                  resolver:
                    kind: dns
                    role: recursive
                    interfaces: { eth0: { segment: dc, address: 10.0.0.53/24 } }
                    routes: [ { to: default, via: 10.0.0.1 } ]
                    root_hints: [ { name: a.root-servers.net, address: 10.0.0.10 } ]
                  root:
                    kind: dns
                    role: authoritative
                    interfaces: { eth0: { segment: dc, address: 10.0.0.10/24 } }
                    routes: [ { to: default, via: 10.0.0.1 } ]
                    zones:
                      ".": |
                        $TTL 86400
                        @ SOA a.root-servers.net. nstld.verisign-grs.com. 2026112100 1800 900 604800 86400
                        @ NS a.root-servers.net.
                        a.root-servers.net. A 10.0.0.10
                        com. NS a.gtld-servers.net.
                        a.gtld-servers.net. A 10.0.0.20
                        linux.test. NS ns.linux.test.
                        ns.linux.test. A 192.168.77.100
                  tld:
                    kind: dns
                    role: authoritative
                    interfaces: { eth0: { segment: dc, address: 10.0.0.20/24 } }
                    routes: [ { to: default, via: 10.0.0.1 } ]
                    zones:
                      com: |
                        $TTL 172800
                        @ SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
                        @ NS a.gtld-servers.net.
                        example NS ns1.example.com.
                        ns1.example.com. A 10.0.0.30
                  example:
                    kind: dns
                    role: authoritative
                    interfaces: { eth0: { segment: dc, address: 10.0.0.30/24 } }
                    routes: [ { to: default, via: 10.0.0.1 } ]
                    zones:
                      example.com: |
                        $TTL 3600
                        @   SOA ns1 hostmaster 2026112101 7200 900 1209600 300
                        @   NS  ns1
                        ns1 A   10.0.0.30
                        www A   10.0.0.80
                  web: { kind: host, interfaces: { eth0: { segment: dc, address: 10.0.0.80/24 } },
                         routes: [ { to: default, via: 10.0.0.1 } ], resolver: { nameservers: [10.0.0.53] } }
                external: [ { name: linux, segment: lan, remote: "%s:%d" } ]
                bus: { bind: %s, port: %d }
                """.formatted(NS_IP, busPort, ROOT_IP, busPort);
    }

    @BeforeAll
    static void setUp() throws Exception {
        LinuxNetns.requireRootAndIproute2();
        for (String tool : List.of("/usr/sbin/dhclient", "/usr/sbin/dnsmasq", "/usr/bin/dig")) {
            if (!Files.isExecutable(Path.of(tool))) {
                if ("true".equals(System.getenv("CI"))) {
                    fail(tool + " is missing: .ci/run installs isc-dhcp-client, dnsmasq-base and bind9-dnsutils");
                }
                assumeTrue(false, tool + " is not installed");
            }
        }
        tmp = Files.createTempDirectory("wldd");
        linux = LinuxNetns.create(NS, "wld" + PID + "a", ROOT_IP + "/30", "wld" + PID + "b", NS_IP + "/30");
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ROOT_IP), 0))) {
            port = probe.getLocalPort(); // a free UDP port for the bus, on the veth address
        }
        // The kernel's VXLAN device for VNI 4077, with no address yet: dhclient will get one.
        linux.ip("link", "add", DEV, "type", "vxlan", "id", "4077", "local", NS_IP, "remote", ROOT_IP,
                "dstport", String.valueOf(port));
        linux.ip("link", "set", DEV, "address", LINUX_MAC.toString());
        linux.exec("ethtool", "-K", DEV, "tx", "off"); // inner checksums filled in by the kernel (see README)
        linux.ip("link", "set", DEV, "up");
        lab = Lab.build(Topologies.parseYaml(topology(port)), Lab.Options.real());
        lab.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (linux != null) {
                // Processes outlive a deleted namespace: stop the ones this test started.
                killFromPidFile(tmp.resolve("dhclient.pid"));
                killFromPidFile(tmp.resolve("dnsmasq.pid"));
            }
            if (lab != null) {
                Path capture = Captures.save(lab, "dhcp-dns-linux-interop");
                lab.close();
                if (Tshark.available()) {
                    assertThat(Tshark.judge(capture).problems()).as("tshark on " + capture).isEmpty();
                }
            }
        } finally {
            if (linux != null) {
                linux.close();
            }
        }
    }

    private static void killFromPidFile(Path pidFile) throws IOException {
        if (Files.exists(pidFile)) {
            String pid = Files.readString(pidFile).strip();
            if (pid.matches("[0-9]+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    private static <T> T onLoop(Node node, Supplier<T> s) throws Exception {
        return CompletableFuture.supplyAsync(s, node.loop()).get(5, TimeUnit.SECONDS);
    }

    private static List<Lease> leases() throws Exception {
        Node dhcp1 = lab.node("dhcp1");
        return onLoop(dhcp1, () -> dhcp1.service(DhcpServer.class).orElseThrow().leases());
    }

    @Test
    @Order(1)
    void iscDhclientGetsALeaseFromTheVirtualServer() throws Exception {
        LinuxNetns.Result r = linux.exec("dhclient", "-v", "-1", "-sf", "/bin/true", "-lf", tmp.resolve("dhclient.leases").toString(),
                "-pf", tmp.resolve("dhclient.pid").toString(), DEV);
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("DHCPDISCOVER on vxdd to 255\\.255\\.255\\.255 port 67 interval \\d+")
                .contains("DHCPOFFER of 192.168.77.100 from 192.168.77.2",
                        "DHCPREQUEST for 192.168.77.100 on vxdd to 255.255.255.255 port 67",
                        "DHCPACK of 192.168.77.100 from 192.168.77.2")
                .containsPattern("bound to 192\\.168\\.77\\.100 -- renewal in \\d+ seconds\\.");
        assertThat(leases()).anySatisfy(l -> {
            assertThat(l.address()).isEqualTo(Ipv4Address.parse("192.168.77.100"));
            assertThat(l.mac()).isEqualTo(LINUX_MAC);
            assertThat(l.state()).isEqualTo(Lease.State.ACTIVE);
        });
        // dhclient's lease file has what our server sent: mask, router, DNS server, domain.
        String leaseFile = Files.readString(tmp.resolve("dhclient.leases"));
        assertThat(leaseFile).contains("fixed-address 192.168.77.100;", "option subnet-mask 255.255.255.0;",
                "option routers 192.168.77.1;", "option domain-name-servers 10.0.0.53;",
                "option domain-name \"lab.test\";", "option dhcp-lease-time 3600;",
                "option dhcp-server-identifier 192.168.77.2;");
        // Configure what the lease says, as dhclient-script would.
        linux.ip("addr", "add", "192.168.77.100/24", "dev", DEV);
        linux.ip("route", "add", "10.0.0.0/24", "via", "192.168.77.1");
    }

    @Test
    @Order(2)
    void digAgainstTheVirtualResolverGetsTheExpectedAnswer() throws Exception {
        LinuxNetns.Result r = linux.exec("dig", "@10.0.0.53", "www.example.com", "+time=3", "+tries=2");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).contains("status: NOERROR").containsPattern(";; flags: qr rd ra; QUERY: 1, ANSWER: 1")
                .containsPattern("www\\.example\\.com\\.\\s+3600\\s+IN\\s+A\\s+10\\.0\\.0\\.80")
                .contains("; EDNS: version: 0, flags:; udp: 1232");
        LinuxNetns.Result nx = linux.exec("dig", "@10.0.0.53", "nope.example.com", "+time=3", "+tries=2");
        assertThat(nx.out()).contains("status: NXDOMAIN")
                .containsPattern("example\\.com\\.\\s+300\\s+IN\\s+SOA\\s+ns1\\.example\\.com\\. hostmaster\\.example\\.com\\.");
    }

    @Test
    @Order(3)
    void theVirtualResolverResolvesThroughARealAuthoritativeServer() throws Exception {
        LinuxNetns.Result d = linux.exec("dnsmasq", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
                "--bind-interfaces", "--interface=" + DEV, "--except-interface=lo", "--listen-address=192.168.77.100",
                "--auth-server=ns.linux.test," + DEV, "--auth-zone=linux.test",
                "--host-record=www.linux.test,10.99.0.7", "--host-record=ns.linux.test,192.168.77.100",
                "--pid-file=" + tmp.resolve("dnsmasq.pid"), "--log-facility=" + tmp.resolve("dnsmasq.log"), "--log-queries");
        assertThat(d.exitCode()).as(d.out()).isZero();
        Thread.sleep(300); // dnsmasq binds its sockets after forking
        ExecResult r = lab.run("web", "dig www.linux.test", Duration.ofSeconds(20));
        assertThat(r.exitCode()).as(r.text()).isZero();
        assertThat(r.output()).contains("www.linux.test.\t\t600\tIN\tA\t10.99.0.7");
        // The root referred the resolver to the namespace, and dnsmasq answered with authority.
        List<TraceEvent> got = lab.trace().events(e -> e.node().equals("resolver") && e.kind().equals("response_received")
                && "192.168.77.100".equals(e.detail().get("server")));
        assertThat(got).isNotEmpty().allSatisfy(e -> assertThat(e.detail().get("aa")).isEqualTo(true));
        assertThat(lab.trace().events(e -> e.node().equals("resolver") && e.kind().equals("referral")))
                .anySatisfy(e -> assertThat(e.detail().get("to_zone")).isEqualTo("linux.test."));
        assertThat(Files.readString(tmp.resolve("dnsmasq.log"))).contains("www.linux.test from 10.0.0.53");
    }

    @Test
    @Order(4)
    void dhclientReleasesTheLease() throws Exception {
        LinuxNetns.Result r = linux.exec("dhclient", "-v", "-r", "-sf", "/bin/true", "-lf", tmp.resolve("dhclient.leases").toString(),
                "-pf", tmp.resolve("dhclient.pid").toString(), DEV);
        assertThat(r.out()).contains("DHCPRELEASE of 192.168.77.100 on vxdd to 192.168.77.2 port 67");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end && leases().stream().noneMatch(l -> l.state() == Lease.State.FREE)) {
            Thread.sleep(50);
        }
        assertThat(leases()).anySatisfy(l -> {
            assertThat(l.address()).isEqualTo(Ipv4Address.parse("192.168.77.100"));
            assertThat(l.state()).isEqualTo(Lease.State.FREE);
        });
    }
}
