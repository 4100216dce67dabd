package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.TraceSummary;
import dev.wirelab.netstack.testkit.Captures;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_DGRAM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocking programs on their own threads do not cost virtual time its determinism: many threads
 * on two nodes, all blocking in system calls at the same instants, give the same capture, the
 * same event timeline and the same output in every run.
 */
class SyscallDeterminismTest {

    private record Outcome(byte[] pcapng, List<String> timeline, List<String> output) {
    }

    private static Outcome run(String name) throws Exception {
        try (ProcLab lab = new ProcLab(ProcLab.PAIR, Lab.Options.virtual().withSeed(3))) {
            ProcLab.Run server = lab.start("h2", p -> {
                int[] tids = new int[4];
                for (int w = 0; w < 4; w++) {
                    int port = 7000 + w;
                    tids[w] = p.spawn("echo" + port, () -> {
                        int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                        p.bind(s, SockAddr.any(port));
                        byte[] b = new byte[256];
                        for (int i = 0; i < 12; i++) {
                            Process.Received r = p.recvfrom(s, b, 0, b.length, 0);
                            p.sendto(s, b, 0, r.length(), 0, r.from());
                        }
                    });
                }
                for (int t : tids) {
                    p.join(t);
                }
                return 0;
            });
            List<String> output = new ArrayList<>();
            ProcLab.Run client = lab.start("h1", p -> {
                int[] tids = new int[4];
                for (int c = 0; c < 4; c++) {
                    int id = c;
                    tids[c] = p.spawn("client" + c, () -> {
                        int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                        byte[] b = new byte[256];
                        for (int i = 0; i < 12; i++) {
                            // every client talks to every server port, all at the same instants
                            byte[] msg = ("c" + id + "m" + i).getBytes();
                            p.sendto(s, msg, 0, msg.length, 0, SockAddr.of("10.0.0.2", 7000 + (i + id) % 4));
                            int n = p.recv(s, b, 0, b.length, 0);
                            p.println(new String(b, 0, n) + " t=" + p.now());
                        }
                    });
                }
                for (int t : tids) {
                    p.join(t);
                }
                return 0;
            });
            lab.advance(Duration.ofSeconds(2));
            assertThat(client.exit()).isCompletedWithValue(0);
            assertThat(server.exit()).isCompletedWithValue(0);
            output.addAll(client.output());
            var path = Captures.save(lab.lab, name);
            return new Outcome(Files.readAllBytes(path),
                    TraceSummary.timeline(lab.lab.trace().frames(), lab.lab.trace().events()), output);
        }
    }

    @Test
    void twoRunsOfBlockingMultiThreadedProgramsAreIdentical() throws Exception {
        Outcome a = run("syscall-determinism-a");
        Outcome b = run("syscall-determinism-b");
        assertThat(a.output()).hasSize(48);
        assertThat(a.timeline()).anyMatch(l -> l.contains("recvfrom"));
        assertThat(b.pcapng()).isEqualTo(a.pcapng());
        assertThat(b.timeline()).isEqualTo(a.timeline());
        assertThat(b.output()).isEqualTo(a.output());
    }

    private static Outcome tcpRun(String name) throws Exception {
        String yaml = ProcLab.ROUTED.replace("lan2: { delay: 500us }", "lan2: { delay: 2ms, jitter: 1ms, loss: 0.02, reorder: 0.05 }");
        try (ProcLab lab = new ProcLab(yaml, Lab.Options.virtual().withSeed(11))) {
            ProcLab.Run threads = ServerPatternsTest.startShell(lab, "h2", "echod --mode threads --workers 3 -n 6");
            ProcLab.Run uring = ServerPatternsTest.startShell(lab, "h2", "discardd --mode uring -n 6");
            ProcLab.Run iperf = ServerPatternsTest.startShell(lab, "h2", "iperf -s -1");
            List<String> output = new ArrayList<>();
            output.addAll(lab.run("h1", ServerPatternsTest.clients(6, "10.0.2.10", 7, true)).output());
            output.addAll(lab.run("h1", ServerPatternsTest.clients(6, "10.0.2.10", 9, false)).output());
            output.addAll(lab.lab.run("h1", "iperf -c 10.0.2.10 -n 300K -i 0.1").output());
            output.addAll(lab.lab.run("h2", "ss -tan").output());
            lab.advance(Duration.ofSeconds(1));
            output.addAll(threads.output());
            output.addAll(uring.output());
            output.addAll(iperf.output());
            var path = Captures.save(lab.lab, name);
            return new Outcome(Files.readAllBytes(path),
                    TraceSummary.timeline(lab.lab.trace().frames(), lab.lab.trace().events()), output);
        }
    }

    @Test
    void tcpServersClientsAndIperfOverALossyLinkRepeatExactly() throws Exception {
        Outcome a = tcpRun("syscall-determinism-tcp-a");
        Outcome b = tcpRun("syscall-determinism-tcp-b");
        assertThat(a.output()).filteredOn(l -> l.startsWith("client ")).hasSize(12).allMatch(l -> l.endsWith(" ok"));
        assertThat(a.output()).anyMatch(l -> l.startsWith("echod: served 6 connections"));
        assertThat(a.output()).anyMatch(l -> l.startsWith("discardd: served 6 connections"));
        assertThat(a.output()).anyMatch(l -> l.endsWith("receiver"));
        assertThat(a.timeline()).anyMatch(l -> l.contains("retransmi"));
        assertThat(b.output()).isEqualTo(a.output());
        assertThat(b.timeline()).isEqualTo(a.timeline());
        assertThat(b.pcapng()).isEqualTo(a.pcapng());
    }
}
