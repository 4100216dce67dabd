package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/** ss, netstat, nc and iperf as a user types them, in virtual time. */
class NetProgramsTest {

    @Test
    void ssShowsTheAcceptQueueAgainstTheBacklogAndTheConnections() {
        try (ProcLab lab = ProcLab.routed()) {
            lab.start("h2", p -> {
                int ls = p.socket(AF_INET, SOCK_STREAM, 0);
                p.bind(ls, SockAddr.any(8000));
                p.listen(ls, 2);
                p.sleep(3_600_000_000_000L); // never accepts
                return 0;
            });
            lab.start("h1", p -> {
                for (int i = 0; i < 4; i++) {
                    int s = p.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                    try {
                        p.connect(s, SockAddr.of("10.0.2.10", 8000));
                    } catch (SyscallException e) {
                        // EINPROGRESS
                    }
                }
                p.sleep(3_600_000_000_000L);
                return 0;
            });
            lab.advance(Duration.ofMillis(50));
            ExecResult ssl = lab.lab.run("h2", "ss -tln");
            ExecResult ssa = lab.lab.run("h2", "ss -tanp");
            ExecResult client = lab.lab.run("h1", "ss -tanp");
            ExecResult net = lab.lab.run("h2", "netstat -tan");
            ExecResult info = lab.lab.run("h1", "ss -tni");
            // Linux: a listener's Recv-Q is its accept queue (backlog + 1 = 3 fit), Send-Q its backlog
            assertThat(ssl.output()).containsExactly(
                    "State  Recv-Q Send-Q Local Address:Port Peer Address:Port",
                    "LISTEN 3      2            0.0.0.0:8000      0.0.0.0:*");
            // the three queued connections are ESTAB in the kernel, owned by nobody until accept()
            assertThat(ssa.output()).hasSize(5);
            assertThat(ssa.output().get(1)).endsWith("users:((\"t0\",pid=100,fd=3))");
            assertThat(ssa.output().subList(2, 5)).allMatch(l -> l.matches("ESTAB  0      0          10\\.0\\.2\\.10:8000"
                    + "    10\\.0\\.1\\.10:\\d+"));
            // the client believes in all four: the fourth's final ACK was dropped on the full accept queue
            assertThat(client.output()).hasSize(5).element(4).asString()
                    .matches("ESTAB 0      0          10\\.0\\.1\\.10:\\d+    10\\.0\\.2\\.10:8000 users:\\(\\(\"t1\",pid=100,fd=6\\)\\)");
            assertThat(lab.lab.node("h2").counters()).containsEntry("tcp.dropped.accept_queue_full", 1L);
            // netstat reads /proc/net/tcp: a listener's Send-Q is 0 there
            assertThat(net.output()).startsWith("Active Internet connections (servers and established)",
                    "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
                    "tcp        3      0 0.0.0.0:8000            0.0.0.0:*               LISTEN");
            assertThat(net.output().get(3)).matches("tcp        0      0 10\\.0\\.2\\.10:8000          10\\.0\\.1\\.10:\\d+ +ESTABLISHED");
            assertThat(info.output().get(2)).startsWith("\t ts mss:1448 rto:200 rtt:3.000/1.500 cwnd:14480");
        }
    }

    @Test
    void ncTalksToNcOverTcpBothWays() {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = ServerPatternsTest.startShell(lab, "h2", "nc -v -l -p 5000 --send 'from the server'");
            lab.advance(Duration.ofMillis(1));
            ExecResult client = lab.lab.run("h1", "nc -v -N --send 'hello from h1' 10.0.2.10 5000");
            assertThat(client.exitCode()).as(client.text()).isZero();
            assertThat(client.output()).containsExactly("Connection to 10.0.2.10 5000 port [tcp/*] succeeded!",
                    "from the server");
            lab.advance(Duration.ofMillis(100));
            assertThat(server.exit()).isCompletedWithValue(0);
            assertThat(server.output()).hasSize(3);
            assertThat(server.output().get(0)).isEqualTo("Listening on 0.0.0.0 5000");
            assertThat(server.output().get(1)).matches("Connection received on 10\\.0\\.1\\.10 \\d+");
            assertThat(server.output().get(2)).isEqualTo("hello from h1");
        }
    }

    @Test
    void ncSendsAFileAndStoresWhatComesBack() {
        byte[] blob = new byte[100_000];
        new java.util.Random(5).nextBytes(blob);
        try (ProcLab lab = ProcLab.routed()) {
            NodeFiles.of(lab.lab.node("h1")).put("/data/blob", blob);
            ServerPatternsTest.startShell(lab, "h2", "echod");
            ExecResult r = lab.lab.run("h1", "nc -N --send-file /data/blob --recv-file /data/echo 10.0.2.10 7");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(NodeFiles.of(lab.lab.node("h1")).get("/data/echo")).hasValue(blob);
        }
    }

    @Test
    void ncScansPortsAndTimesOut() {
        try (ProcLab lab = ProcLab.routed()) {
            ServerPatternsTest.startShell(lab, "h2", "echod");
            ServerPatternsTest.startShell(lab, "h2", "discardd");
            ExecResult scan = lab.lab.run("h1", "nc -zv 10.0.2.10 7-9");
            assertThat(scan.exitCode()).isZero();
            assertThat(scan.output()).containsExactly(
                    "Connection to 10.0.2.10 7 port [tcp/echo] succeeded!",
                    "nc: connect to 10.0.2.10 port 8 (tcp) failed: Connection refused",
                    "Connection to 10.0.2.10 9 port [tcp/discard] succeeded!");
            ExecResult closed = lab.lab.run("h1", "nc -z 10.0.2.10 10");
            assertThat(closed.exitCode()).isEqualTo(1);
            assertThat(closed.output()).isEmpty();
            // nobody has 10.0.2.99: r1's ARP gives up after 3 s, so -w 2 ends the attempt first
            ExecResult timeout = lab.lab.run("h1", "nc -w 2 10.0.2.99 80");
            assertThat(timeout.exitCode()).isEqualTo(1);
            assertThat(timeout.output()).containsExactly(
                    "nc: connect to 10.0.2.99 port 80 (tcp) timed out: Operation now in progress");
        }
    }

    @Test
    void ncOverUdpWithAnEchoServerAndAUdpScan() {
        try (ProcLab lab = ProcLab.routed()) {
            ServerPatternsTest.startShell(lab, "h2", "echod -u");
            ExecResult r = lab.lab.run("h1", "nc -u -w 1 --send ping 10.0.2.10 7");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly("ping");
            ExecResult scan = lab.lab.run("h1", "nc -zuv -w 1 10.0.2.10 7-8");
            assertThat(scan.output()).containsExactly(
                    "Connection to 10.0.2.10 7 port [udp/echo] succeeded!",
                    "nc: connect to 10.0.2.10 port 8 (udp) failed: Connection refused");
        }
    }

    @Test
    void iperfMeasuresGoodputThroughARateLimitedLink() {
        String yaml = ProcLab.ROUTED.replace("lan2: { delay: 500us }", "lan2: { delay: 5ms, rate: 10mbit }");
        try (ProcLab lab = new ProcLab(yaml, dev.wirelab.netstack.lab.Lab.Options.virtual())) {
            ProcLab.Run server = ServerPatternsTest.startShell(lab, "h2", "iperf -s -1");
            ExecResult c = lab.lab.run("h1", "iperf -c 10.0.2.10 -t 2", Duration.ofSeconds(30));
            assertThat(c.exitCode()).as(c.text()).isZero();
            assertThat(c.output().get(0)).isEqualTo("Connecting to host 10.0.2.10, port 5201");
            assertThat(c.output().get(1)).matches("\\[  3\\] local 10\\.0\\.1\\.10 port \\d+ connected to 10\\.0\\.2\\.10 port 5201");
            assertThat(c.output().get(2)).isEqualTo("[ ID] Interval           Transfer     Bitrate         Retr");
            assertThat(c.output().get(3)).matches("\\[  3\\]   0\\.00-1\\.00   sec  .* MBytes  .* Mbits/sec +\\d+");
            String sender = c.output().stream().filter(l -> l.endsWith("sender")).findFirst().orElseThrow();
            String receiver = c.output().stream().filter(l -> l.endsWith("receiver")).findFirst().orElseThrow();
            assertThat(sender).matches("\\[  3\\]   0\\.00-2\\.\\d\\d +sec  .* MBytes  .* Mbits/sec +\\d+ +sender");
            double mbits = Double.parseDouble(receiver.replaceAll(".*MBytes +([0-9.]+) Mbits/sec.*", "$1"));
            // goodput just under the 10 Mbit/s link: headers and slow start take their share
            assertThat(mbits).as(c.text()).isBetween(7.0, 10.0);
            assertThat(c.output()).endsWith("", "iperf Done.");
            lab.advance(Duration.ofMillis(100));
            assertThat(server.exit()).isCompletedWithValue(0);
            assertThat(server.output()).anyMatch(l -> l.endsWith("receiver"));
        }
    }

    @Test
    void iperfPacesItsWritesToTheTargetBitrate() {
        try (ProcLab lab = ProcLab.routed()) {
            ServerPatternsTest.startShell(lab, "h2", "iperf -s -1");
            // 20 writes of 1000 bytes at 80 kbit/s: one every 100 ms, the whole in about 1.9 s.
            ExecResult c = lab.lab.run("h1", "iperf -c 10.0.2.10 -n 20000 -l 1000 -b 80K", Duration.ofSeconds(30));
            assertThat(c.exitCode()).as(c.text()).isZero();
            var sends = lab.lab.trace().events(e -> e.node().equals("h1") && e.kind().equals("send"));
            assertThat(sends).hasSize(20);
            for (int i = 1; i < sends.size(); i++) {
                assertThat(sends.get(i).timeNanos() - sends.get(i - 1).timeNanos()).as("gap before write " + i)
                        .isBetween(99_000_000L, 101_000_000L);
            }
            ExecResult bad = lab.lab.run("h1", "iperf -c 10.0.2.10 -b fast", Duration.ofSeconds(5));
            assertThat(bad.output()).containsExactly("iperf3: parameter error - invalid bitrate: fast");
        }
    }

    @Test
    void hpingShowsSynAckFromAnOpenPortAndResetFromAClosedOne() {
        try (ProcLab lab = ProcLab.routed()) {
            ServerPatternsTest.startShell(lab, "h2", "echod");
            ExecResult open = lab.lab.run("h1", "hping -S -p 7 -c 3 -i 0.1 10.0.2.10");
            assertThat(open.exitCode()).as(open.text()).isZero();
            assertThat(open.output().get(0)).isEqualTo("HPING 10.0.2.10 (eth0 10.0.2.10): S set, 40 headers + 0 data bytes");
            assertThat(open.output().subList(1, 4)).allMatch(l -> l.matches(
                    "len=\\d+ ip=10\\.0\\.2\\.10 ttl=63 DF id=\\d+ sport=7 flags=SA seq=\\d win=\\d+ rtt=\\d+\\.\\d ms"));
            assertThat(open.output()).contains("3 packets tramitted, 3 packets received, 0% packet loss");
            ExecResult closed = lab.lab.run("h1", "hping -S -p 8 -c 1 10.0.2.10");
            assertThat(closed.output().get(1)).matches("len=46 ip=10\\.0\\.2\\.10 ttl=63 DF id=\\d+ sport=8 flags=RA seq=0 win=0 rtt=\\d+\\.\\d ms");
        }
    }
}
