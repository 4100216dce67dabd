package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.LinuxNetns;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Linux kernel as the final judge: a network namespace with a standard {@code vxlan} device
 * joins segment "lan" of examples/external-vxlan.yaml, exactly as the README tells users to do.
 * <pre>
 *   linux 10.77.0.2 (vx0, VNI 42) == [lan 10.77.0.0/24] .1 r1 .1 [back 10.78.0.0/24] .10 h1
 *   underlay: root ns 10.255.0.1/30 (the bus, UDP 4789) -- veth -- namespace 10.255.0.2/30
 * </pre>
 */
@Timeout(120)
class LinuxInteropTest {

    private static LinuxNetns linux;
    private static Lab lab;

    @BeforeAll
    static void setUp() throws Exception {
        LinuxNetns.requireRootAndIproute2();
        linux = LinuxNetns.create("wl-interop", "wlint0", "10.255.0.1/30", "wlint1", "10.255.0.2/30");
        linux.addVxlan("vx0", 42, "10.255.0.2", "10.255.0.1", 4789, "10.77.0.2/24");
        linux.ip("route", "add", "10.78.0.0/24", "via", "10.77.0.1");
        lab = Lab.build(Examples.load("external-vxlan.yaml"), Lab.Options.real());
        lab.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            Path capture = Captures.save(lab, "linux-interop");
            lab.close();
            if (Tshark.available()) {
                assertThat(Tshark.judge(capture).problems()).as("tshark on " + capture).isEmpty();
            }
        }
        if (linux != null) {
            linux.close();
        }
    }

    @Test
    void linuxPingsTheVirtualRouterAndTheHostBehindIt() throws Exception {
        LinuxNetns.Result router = linux.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.1");
        assertThat(router.exitCode()).as(router.out()).isZero();
        assertThat(router.out()).contains("3 packets transmitted, 3 received");

        LinuxNetns.Result host = linux.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.78.0.10");
        assertThat(host.exitCode()).as(host.out()).isZero();
        assertThat(host.out()).contains("3 received").contains("ttl=63"); // one virtual router hop
    }

    @Test
    void virtualHostPingsLinuxThroughTheVirtualRouter() {
        ExecResult r = lab.run("h1", "ping -c 3 -i 0.2 -W 2 10.77.0.2", Duration.ofSeconds(20));
        assertThat(r.exitCode()).as(r.text()).isZero();
        assertThat(r.output()).anyMatch(l -> l.startsWith("64 bytes from 10.77.0.2: icmp_seq=") && l.contains("ttl=63"));
    }

    @Test
    void linuxTracerouteListsTheVirtualRouterThenTheHost() throws Exception {
        LinuxNetns.Result tr = linux.exec("traceroute", "-n", "-q", "1", "-w", "2", "-m", "5", "10.78.0.10");
        assertThat(tr.exitCode()).as(tr.out()).isZero();
        assertThat(tr.out()).containsPattern("\\n 1  10\\.77\\.0\\.1  ").containsPattern("\\n 2  10\\.78\\.0\\.10  ");
    }

    @Test
    void linuxArpCacheHoldsTheVirtualRoutersMac() throws Exception {
        linux.exec("ping", "-c", "1", "-W", "2", "10.77.0.1");
        LinuxNetns.Result neigh = linux.exec("ip", "neigh", "show", "10.77.0.1", "dev", "vx0");
        String mac = lab.node("r1").networkInterface("eth0").orElseThrow().mac().toString();
        assertThat(neigh.out()).contains(mac);
    }
}
