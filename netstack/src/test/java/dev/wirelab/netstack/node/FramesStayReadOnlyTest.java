package dev.wirelab.netstack.node;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceSink;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bus shares one array between the capture and every receiver of a frame, so no node may
 * write into a frame it received. Every frame is copied at capture time and compared with the
 * shared array once hosts and routers have parsed, forwarded, answered and fragmented them.
 */
class FramesStayReadOnlyTest {

    private record Seen(byte[] shared, byte[] copy) {
    }

    @Test
    void noNodeWritesIntoAFrameItReceived() {
        String yaml = """
                name: read-only
                segments: [lan1, { name: core, mtu: 576 }, lan2]
                nodes:
                  h1:
                    kind: host
                    interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }
                    routes: [ { to: default, via: 10.0.1.1 } ]
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan1, address: 10.0.1.1/24 }
                      eth1: { segment: core, address: 10.0.0.1/30 }
                    routes: [ { to: 10.0.2.0/24, via: 10.0.0.2 } ]
                  r2:
                    kind: router
                    interfaces:
                      eth0: { segment: core, address: 10.0.0.2/30 }
                      eth1: { segment: lan2, address: 10.0.2.1/24 }
                    routes: [ { to: 10.0.1.0/24, via: 10.0.0.1 } ]
                  h2:
                    kind: host
                    interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }
                    routes: [ { to: default, via: 10.0.2.1 } ]
                """;
        List<Seen> seen = new ArrayList<>();
        TraceSink copying = new TraceSink() {
            @Override
            public synchronized void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
                seen.add(new Seen(bytes, bytes.clone()));
            }

            @Override
            public void event(TraceEvent event) {
            }
        };
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual().withSink(copying))) {
            lab.start();
            ExecResult ping = lab.run("h1", "ping -c 3 -s 1400 10.0.2.10", Duration.ofSeconds(30)); // fragmented by r1
            ExecResult trace = lab.run("h1", "traceroute 10.0.2.10", Duration.ofSeconds(60));       // Time Exceeded from routers
            lab.exec("h2", "iperf -s -1", line -> { });
            ExecResult bulk = lab.run("h1", "iperf -c 10.0.2.10 -n 300K", Duration.ofSeconds(60));
            ExecResult refused = lab.run("h1", "nc -z 10.0.2.10 9", Duration.ofSeconds(30));        // RST
            assertThat(ping.exitCode()).as(ping.text()).isZero();
            assertThat(trace.exitCode()).as(trace.text()).isZero();
            assertThat(bulk.exitCode()).as(bulk.text()).isZero();
            assertThat(refused.exitCode()).as(refused.text()).isNotZero();
        }
        synchronized (copying) {
            assertThat(seen).hasSizeGreaterThan(400);
            for (int i = 0; i < seen.size(); i++) {
                Seen s = seen.get(i);
                assertThat(Arrays.equals(s.shared(), s.copy())).as("frame %d was modified after capture", i).isTrue();
            }
        }
    }
}
