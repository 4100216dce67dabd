package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SYN flood lab: an attacker on h1's LAN floods h2's echo service with spoofed SYNs
 * ({@code hping -S --flood --rand-source}). Without SYN cookies the listener's SYN queue fills and a
 * legitimate client cannot connect; with cookies (tcp_syncookies = 1) it connects and completes a
 * transfer while the flood goes on.
 * <pre>
 *   h1 .10, attacker .66 [lan1 10.0.1.0/24] .1 r1 .1 [lan2 10.0.2.0/24] .10 h2 (echod -b 16)
 * </pre>
 */
class SynFloodLabTest {

    /**
     * The spoofed sources lie beyond r1's default route, towards "sink", a host that does not
     * forward: it swallows the SYN-ACKs without an ICMP error, as the silent hosts of a real
     * spoofed flood do (an ICMP unreachable would make h2 drop the half-open connection at once,
     * RFC 5461, as Linux does).
     */
    static final String TOPOLOGY = """
            name: synflood
            segments: [lan1, lan2, upstream]
            nodes:
              h1:
                kind: host
                interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }
                routes: [ { to: default, via: 10.0.1.1 } ]
              attacker:
                kind: host
                interfaces: { eth0: { segment: lan1, address: 10.0.1.66/24 } }
                routes: [ { to: default, via: 10.0.1.1 } ]
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan1, address: 10.0.1.1/24 }
                  eth1: { segment: lan2, address: 10.0.2.1/24 }
                  eth2: { segment: upstream, address: 192.0.2.1/30 }
                routes: [ { to: default, via: 192.0.2.2 } ]
              sink:
                kind: host
                interfaces: { eth0: { segment: upstream, address: 192.0.2.2/30 } }
              h2:
                kind: host
                interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }
                routes: [ { to: default, via: 10.0.2.1 } ]
            links:
              lan1: { delay: 500us }
              lan2: { delay: 500us }
              upstream: { delay: 5ms }
            """;

    private static ProcLab lab(int syncookies) {
        ProcLab lab = new ProcLab(TOPOLOGY, Lab.Options.virtual());
        TcpLayer tcp = TcpLayer.of(lab.lab.node("h2"));
        tcp.setConfig(tcp.config().withSyncookies(syncookies));
        ServerPatternsTest.startShell(lab, "h2", "echod -b 16");
        lab.advance(Duration.ofMillis(1));
        return lab;
    }

    private static List<TraceEvent> h2(ProcLab lab, String layer, String kind) {
        return lab.lab.trace().events(e -> e.node().equals("h2") && e.layer().equals(layer) && e.kind().equals(kind));
    }

    @Test
    void withoutCookiesTheSynQueueFillsAndALegitimateConnectFails() throws Exception {
        try (ProcLab lab = lab(0)) {
            ExecResult flood = lab.lab.run("attacker", "hping -S -p 7 --flood -c 300 --rand-source 10.0.2.10");
            assertThat(flood.output()).containsExactly(
                    "HPING 10.0.2.10 (eth0 10.0.2.10): S set, 40 headers + 0 data bytes",
                    "hping in flood mode, no replies will be shown",
                    "",
                    "--- 10.0.2.10 hping statistic ---",
                    "300 packets tramitted, 0 packets received, 100% packet loss",
                    "round-trip min/avg/max = 0.0/0.0/0.0 ms");
            ExecResult legit = lab.lab.run("h1", "nc -w 3 -N --send hello 10.0.2.10 7");
            assertThat(legit.exitCode()).isEqualTo(1);
            assertThat(legit.output()).containsExactly(
                    "nc: connect to 10.0.2.10 port 7 (tcp) timed out: Operation now in progress");

            // The queue events show it: the SYN queue reached the backlog, then SYNs were dropped,
            // the legitimate client's among them.
            assertThat(h2(lab, "tcp", "queue")).anyMatch(e -> Integer.valueOf(16).equals(e.detail().get("syn_queue"))
                    && Integer.valueOf(16).equals(e.detail().get("backlog")));
            List<TraceEvent> drops = h2(lab, "tcp", "drop").stream()
                    .filter(e -> "syn_queue_full".equals(e.detail().get("reason"))).toList();
            assertThat(drops).hasSizeGreaterThan(50);
            assertThat(drops).anyMatch(e -> ((String) e.detail().get("remote")).startsWith("10.0.1.10:"));
            assertThat(lab.lab.node("h2").counters().get("tcp.syncookies_sent")).isNull();
            // ss lists the half-open connections of the SYN queue, from spoofed sources
            ExecResult synRecv = lab.lab.run("h2", "ss -tn state syn-recv");
            assertThat(synRecv.output()).hasSize(17);
            assertThat(synRecv.output().subList(1, 17)).allMatch(l -> l.startsWith("SYN-RECV 0      0")
                    && l.contains("10.0.2.10:7"));
            assertThat(lab.lab.run("h2", "ss -tln").output()).element(1).asString()
                    .startsWith("LISTEN 0      16");
            lab.judgedCapture("synflood-no-cookies");
        }
    }

    @Test
    void withCookiesALegitimateClientCompletesItsTransferDuringTheFlood() throws Exception {
        byte[] data = new byte[50_000];
        new Random(9).nextBytes(data);
        try (ProcLab lab = lab(1)) {
            NodeFiles.of(lab.lab.node("h1")).put("/tmp/data", data);
            // a slower flood that lasts the whole transfer: 1000 SYNs, one every 200 us
            ProcLab.Run flood = ServerPatternsTest.startShell(lab, "attacker",
                    "hping -S -p 7 -i u200 -c 1000 --rand-source 10.0.2.10");
            lab.advance(Duration.ofMillis(20));
            ExecResult legit = lab.lab.run("h1", "nc -w 5 -N --send-file /tmp/data --recv-file /tmp/echo 10.0.2.10 7");
            assertThat(legit.exitCode()).as(legit.text()).isZero();
            assertThat(NodeFiles.of(lab.lab.node("h1")).get("/tmp/echo")).hasValue(data);
            assertThat(flood.done()).as("the flood still runs").isFalse();
            var counters = lab.lab.node("h2").counters();
            assertThat(counters.get("tcp.syncookies_sent")).isGreaterThan(100L);
            assertThat(counters.get("tcp.syncookies_validated")).isGreaterThanOrEqualTo(1L);
            assertThat(h2(lab, "tcp", "syncookie_validated")).anyMatch(
                    e -> ((String) e.detail().get("remote")).startsWith("10.0.1.10:"));
            lab.advance(Duration.ofMillis(1500)); // the flood's last SYN, then hping's second for late replies
            assertThat(flood.exit()).isCompletedWithValue(0);
            lab.judgedCapture("synflood-cookies");
        }
    }
}
