package dev.wirelab.netstack.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the bus used to bind 0.0.0.0 when a topology did not say where, so any machine that
 * reached this one could send it VXLAN. Without {@code bus.bind} it now listens only where the
 * external VTEPs reach it.
 */
class BusBindTest {

    private static Topology withExternal(String remote, String bus) {
        return Topologies.parseYaml("""
                name: bind
                segments: [lan]
                nodes:
                  h1:
                    kind: host
                    interfaces: { eth0: { segment: lan, address: 10.77.0.10/24 } }
                external:
                  - { name: linux, segment: lan, remote: "%s" }
                %s
                """.formatted(remote, bus));
    }

    @Test
    void withoutABindTheBusListensOnLoopbackForLoopbackVteps() throws Exception {
        int port;
        try (DatagramSocket free = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Topology t = withExternal("127.0.0.1:14790", "bus: { port: " + port + " }");
        assertThat(Lab.busBind(t)).isEqualTo(new InetSocketAddress("127.0.0.1", port));
        try (Lab lab = Lab.build(t, Lab.Options.real())) {
            InetSocketAddress at = lab.bus().vxlanEndpoint().localAddress();
            assertThat(at.getAddress().isLoopbackAddress()).as("bound %s", at).isTrue();
            assertThat(at.getAddress().isAnyLocalAddress()).isFalse();
        }
    }

    @Test
    void withoutABusSectionTheDefaultPortIsKept() {
        assertThat(Lab.busBind(withExternal("localhost", ""))).isEqualTo(new InetSocketAddress("127.0.0.1", 4789));
    }

    @Test
    void anExplicitBindWins() {
        assertThat(Lab.busBind(withExternal("127.0.0.1", "bus: { bind: 0.0.0.0, port: 14791 }")))
                .isEqualTo(new InetSocketAddress("0.0.0.0", 14791));
    }
}
