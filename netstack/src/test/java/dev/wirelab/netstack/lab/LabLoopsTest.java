package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.time.EventLoop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a real-time lab spreads its nodes over loop threads, and that shared threads still work. */
class LabLoopsTest {

    private static String chain(int hosts) {
        StringBuilder y = new StringBuilder("name: loops\nsegments: [lan]\nnodes:\n");
        for (int i = 1; i <= hosts; i++) {
            y.append("  h").append(i).append(": { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.")
                    .append(i).append("/24 } } }\n");
        }
        return y.toString();
    }

    private static List<EventLoop> loops(Lab lab) {
        return lab.nodes().values().stream().map(n -> n.loop()).toList();
    }

    @Test
    void aSmallLabRunsOnOneThreadAndNodesStillTalk() {
        try (Lab lab = Lab.build(Topologies.parseYaml(chain(3)), Lab.Options.real())) {
            List<EventLoop> l = loops(lab);
            if (Integer.getInteger("wirelab.loopThreads") == null) {
                assertThat(l).allMatch(x -> x == l.get(0));
            }
            lab.start();
            ExecResult ping = lab.run("h1", "ping -c 2 -i 0.05 10.0.0.3", Duration.ofSeconds(20));
            assertThat(ping.exitCode()).as(ping.text()).isZero();
        }
    }

    @Test
    void neighborsInTheFileShareAThreadInBlocks() {
        try (Lab lab = Lab.build(Topologies.parseYaml(chain(5)), Lab.Options.real().withLoopThreads(2))) {
            List<EventLoop> l = loops(lab);
            // 6 loops to carry (the bus and 5 nodes) on 2 threads: bus h1 h2 | h3 h4 h5
            assertThat(l.get(0)).isSameAs(l.get(1));
            assertThat(l.get(2)).isSameAs(l.get(3)).isSameAs(l.get(4)).isNotSameAs(l.get(0));
            lab.start();
            ExecResult ping = lab.run("h1", "ping -c 2 -i 0.05 10.0.0.5", Duration.ofSeconds(20));
            assertThat(ping.exitCode()).as(ping.text()).isZero();
        }
    }

    @Test
    void moreThreadsThanNodesIsCappedNotAnError() {
        try (Lab lab = Lab.build(Topologies.parseYaml(chain(2)), Lab.Options.real().withLoopThreads(10))) {
            Map<EventLoop, Boolean> distinct = new IdentityHashMap<>();
            loops(lab).forEach(x -> distinct.put(x, true));
            assertThat(distinct).hasSizeBetween(1, 2);
            lab.start();
            ExecResult ping = lab.run("h1", "ping -c 1 10.0.0.2", Duration.ofSeconds(20));
            assertThat(ping.exitCode()).as(ping.text()).isZero();
        }
    }

    @Test
    void theDefaultIsOneThreadPerSixteenNodesAtMostHalfTheCores() {
        if (Integer.getInteger("wirelab.loopThreads") != null) {
            return;
        }
        int half = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        assertThat(Lab.defaultLoopThreads(3)).isEqualTo(1);
        assertThat(Lab.defaultLoopThreads(16)).isEqualTo(1);
        assertThat(Lab.defaultLoopThreads(17)).isEqualTo(Math.min(2, half));
        assertThat(Lab.defaultLoopThreads(1000)).isEqualTo(half);
    }
}
