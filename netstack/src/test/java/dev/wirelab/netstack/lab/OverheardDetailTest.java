package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.OverheardDetail;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A broadcast heard by a whole segment: the first receivers trace it, the rest count it. */
class OverheardDetailTest {

    static final int HOSTS = 20;

    /** 20 hosts on one segment: each announces its address with one gratuitous ARP at start. */
    static String lan() {
        StringBuilder y = new StringBuilder("name: crowd\nsegments: [lan]\nnodes:\n");
        for (int i = 1; i <= HOSTS; i++) {
            y.append("  h").append(i).append(": { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.")
                    .append(i).append("/24 } } }\n");
        }
        return y.toString();
    }

    static List<TraceEvent> events(Lab lab, String layer, String kind) {
        return lab.trace().events(e -> e.layer().equals(layer) && e.kind().equals(kind));
    }

    @Test
    void theFirstSixteenReceiversOfEachBroadcastTraceItAndEveryReceiverCountsIt() {
        try (Lab lab = Lab.build(Topologies.parseYaml(lan()), Lab.Options.virtual())) {
            lab.start();
            lab.advance(java.time.Duration.ofMillis(10));
            List<TraceEvent> announcements = events(lab, "arp", "gratuitous_sent");
            assertThat(announcements).hasSize(HOSTS);
            int limit = OverheardDetail.DEFAULT_LIMIT;
            // Each announcement reaches the 19 other hosts: 16 trace it, 3 count it.
            assertThat(events(lab, "arp", "request_received")).hasSize(HOSTS * limit);
            assertThat(events(lab, "trace", "detail_limited")).hasSize(HOSTS).allSatisfy(e -> assertThat(e.detail())
                    .containsEntry("limit", limit).containsEntry("counted_as", "arp.requests_overheard"));
            long overheard = 0;
            for (int i = 1; i <= HOSTS; i++) {
                overheard += lab.node("h" + i).counters().getOrDefault("arp.requests_overheard", 0L);
            }
            assertThat(overheard).isEqualTo((long) HOSTS * (HOSTS - 1));
            assertThat(lab.overheardDetail().limitedBroadcasts()).isEqualTo(HOSTS);
            assertThat(lab.overheardDetail().limitedReceivers()).isEqualTo((long) HOSTS * (HOSTS - 1 - limit));
            // What the limit saves is only the detail: a request for an address still gets its reply.
            ExecResult ping = lab.run("h20", "ping -c 1 10.0.0.1");
            assertThat(ping.exitCode()).as(ping.text()).isZero();
        }
    }

    @Test
    void theLimitIsASettingAndABadValueIsAClearError() {
        String before = System.getProperty(OverheardDetail.PROPERTY);
        try {
            System.setProperty(OverheardDetail.PROPERTY, "100");
            try (Lab lab = Lab.build(Topologies.parseYaml(lan()), Lab.Options.virtual())) {
                lab.start();
                lab.advance(java.time.Duration.ofMillis(10));
                assertThat(events(lab, "arp", "request_received")).hasSize(HOSTS * (HOSTS - 1));
                assertThat(events(lab, "trace", "detail_limited")).isEmpty();
            }
            System.setProperty(OverheardDetail.PROPERTY, "lots");
            assertThatThrownBy(() -> Lab.build(Topologies.parseYaml(lan()), Lab.Options.virtual()))
                    .isInstanceOf(LabException.class).hasMessageContaining("wirelab.overheardDetail must be a whole number");
        } finally {
            if (before == null) {
                System.clearProperty(OverheardDetail.PROPERTY);
            } else {
                System.setProperty(OverheardDetail.PROPERTY, before);
            }
        }
    }
}
