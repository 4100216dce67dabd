package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection keeps its route as Linux keeps a dst in the socket: one routing decision (one
 * route lookup event) for a whole bulk transfer, a fresh one once the routing table changes.
 */
class TcpRouteCacheTest {

    /** h1 - r1 - h2 with 1 ms links, nothing lost. */
    private static final String TOPOLOGY = TcpLabTest.TOPOLOGY.formatted("loss: 0", "loss: 0", 1);

    private static List<TraceEvent> lookups(Lab lab, String node) {
        return lab.trace().events(e -> e.node().equals(node) && e.layer().equals("route") && e.kind().equals("lookup")
                && "10.0.2.10".equals(e.detail().get("destination")));
    }

    @Test
    void aBulkTransferDecidesItsRouteOnceAndAgainAfterTheTableChanges() {
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY), Lab.Options.virtual())) {
            lab.start();
            lab.exec("h2", "iperf -s -1", line -> { });
            // Mid-transfer, a host route through the same gateway: the open connection's cached
            // route is stale from then on, so it decides once more and finds the /32.
            lab.node("h1").loop().schedule(EventLoop.millis(50), () -> lab.node("h1").addRoute(
                    Ipv4Address.parse("10.0.2.10"), 32, Ipv4Address.parse("10.0.1.1"), "eth0"));
            ExecResult bulk = lab.run("h1", "iperf -c 10.0.2.10 -n 4M", Duration.ofSeconds(60));
            assertThat(bulk.exitCode()).as(bulk.text()).isZero();
            assertThat(lab.node("h1").counterSet().get("tcp.sent")).isGreaterThan(2000);
            List<TraceEvent> l = lookups(lab, "h1");
            assertThat(l).hasSize(2);
            assertThat(l.get(0).detail()).containsEntry("route", "default").containsEntry("via", "10.0.1.1");
            assertThat(l.get(1).detail()).containsEntry("route", "10.0.2.10/32");
            assertThat(l.get(0).timeNanos()).isLessThan(EventLoop.millis(50));
            assertThat(l.get(1).timeNanos()).isGreaterThanOrEqualTo(EventLoop.millis(50));
        }
    }
}
