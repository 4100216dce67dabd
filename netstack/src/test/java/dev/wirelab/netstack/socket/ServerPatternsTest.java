package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * echod and discardd in every server pattern serve concurrent clients with the right bytes, and
 * SO_REUSEPORT spreads connections over the listeners.
 */
class ServerPatternsTest {

    static final int CLIENTS = 6;
    static final int SIZE = 30_000;

    static byte[] payload(int client) {
        byte[] b = new byte[SIZE];
        new Random(client).nextBytes(b);
        return b;
    }

    /** {@code n} concurrent connections; each sends its payload, half-closes, and checks what comes back. */
    static Kernel.Main clients(int n, String host, int port, boolean echo) {
        return p -> {
            int[] tids = new int[n];
            for (int i = 0; i < n; i++) {
                int id = i;
                tids[i] = p.spawn("client" + i, () -> {
                    byte[] data = payload(id);
                    int s = p.socket(AF_INET, SOCK_STREAM, 0);
                    p.connect(s, SockAddr.of(host, port));
                    int writer = p.spawn("writer" + id, () -> {
                        p.send(s, data, 0, data.length, 0);
                        p.shutdown(s, Sys.SHUT_WR);
                    });
                    byte[] got = new byte[SIZE + 1];
                    int total = 0;
                    int r;
                    while ((r = p.recv(s, got, total, got.length - total, 0)) > 0) {
                        total += r;
                    }
                    p.join(writer);
                    p.close(s);
                    boolean ok = echo ? total == SIZE && Arrays.equals(data, Arrays.copyOf(got, SIZE)) : total == 0;
                    p.println("client " + id + (ok ? " ok" : " BAD " + total));
                });
            }
            for (int t : tids) {
                p.join(t);
            }
            return 0;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "threads", "reuseport", "epoll", "uring"})
    void echoServesConcurrentClientsInEveryPattern(String mode) {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = startShell(lab, "h2", "echod --mode " + mode + " -n " + CLIENTS);
            ExecResult c = lab.run("h1", clients(CLIENTS, "10.0.2.10", 7, true));
            assertThat(c.exitCode()).as(c.text()).isZero();
            assertThat(c.output()).hasSize(CLIENTS).allMatch(l -> l.endsWith(" ok"));
            lab.advance(Duration.ofMillis(200));
            assertThat(server.exit()).as(String.join("\n", server.output())).isCompletedWithValue(0);
            assertThat(server.output().get(0)).startsWith("echod: listening on 0.0.0.0:7 (" + mode);
            assertThat(server.output()).anyMatch(l -> l.startsWith("echod: served 6 connections, 180000 bytes"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "epoll", "uring"})
    void discardReadsEverythingAndSendsNothing(String mode) {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = startShell(lab, "h2", "discardd --mode " + mode + " --workers 2 -n 4");
            ExecResult c = lab.run("h1", clients(4, "10.0.2.10", 9, false));
            assertThat(c.output()).hasSize(4).allMatch(l -> l.endsWith(" ok"));
            lab.advance(Duration.ofMillis(200));
            assertThat(server.output()).anyMatch(l -> l.startsWith("discardd: served 4 connections, 120000 bytes"));
        }
    }

    /**
     * epoll(7): edge-triggered, a readiness is reported once, so the loop reads until EAGAIN;
     * level-triggered, one read per report, and epoll_wait reports the socket again while bytes
     * remain, so no read ends in EAGAIN and every read follows a report of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"edge", "level"})
    void levelAndEdgeTriggeredLoopsEchoTheSameBytesWithDifferentCalls(String trigger) {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = startShell(lab, "h2", "echod --mode epoll --trigger " + trigger + " --read-size 512 -n 2");
            ExecResult c = lab.run("h1", clients(2, "10.0.2.10", 7, true));
            assertThat(c.output()).hasSize(2).allMatch(l -> l.endsWith(" ok"));
            lab.advance(Duration.ofMillis(200));
            assertThat(server.output().get(0)).isEqualTo("echod: listening on 0.0.0.0:7 (epoll, 1 worker, " + trigger + "-triggered)");
            java.util.List<dev.wirelab.netstack.trace.TraceEvent> calls = lab.lab.trace().events(e -> e.node().equals("h2")
                    && e.layer().equals("syscall"));
            java.util.function.Predicate<dev.wirelab.netstack.trace.TraceEvent> recvEagain = e -> e.kind().equals("recv")
                    && "EAGAIN".equals(e.detail().get("errno"));
            long recvs = calls.stream().filter(e -> e.kind().equals("recv") && !"EAGAIN".equals(e.detail().get("errno"))).count();
            long reports = calls.stream().filter(e -> e.kind().equals("epoll_wait"))
                    .mapToLong(e -> ((Number) e.detail().get("result")).longValue()).sum();
            assertThat(recvs).as("2 x 30000 bytes in reads of at most 512").isGreaterThanOrEqualTo(2 * SIZE / 512);
            java.util.List<Object> ctl = calls.stream().filter(e -> e.kind().equals("epoll_ctl")).map(e -> e.detail().get("events")).toList();
            if (trigger.equals("edge")) {
                assertThat(calls).anyMatch(recvEagain);
                assertThat(reports).as("readiness reports, fewer than reads").isLessThan(recvs);
                assertThat(ctl).allMatch(ev -> String.valueOf(ev).contains("EPOLLET"));
            } else {
                assertThat(calls).noneMatch(recvEagain);
                assertThat(reports).as("a readiness report per read").isGreaterThanOrEqualTo(recvs);
                assertThat(ctl).noneMatch(ev -> String.valueOf(ev).contains("EPOLLET"));
            }
        }
    }

    @Test
    void triggerIsAnEpollOption() {
        try (ProcLab lab = ProcLab.routed()) {
            ExecResult r = lab.lab.run("h2", "echod --mode single --trigger level", Duration.ofSeconds(5));
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).containsExactly("echod: --trigger works in epoll mode only");
            ExecResult bad = lab.lab.run("h2", "echod --mode epoll --trigger sideways", Duration.ofSeconds(5));
            assertThat(bad.output()).containsExactly("echod: unknown trigger 'sideways' (edge, level)");
        }
    }

    @Test
    void reusePortSpreadsConnectionsOverTheListeners() {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = startShell(lab, "h2", "echod --mode reuseport --workers 4 -n 24");
            ExecResult c = lab.run("h1", clients(24, "10.0.2.10", 7, true));
            assertThat(c.output()).hasSize(24).allMatch(l -> l.endsWith(" ok"));
            lab.advance(Duration.ofMillis(200));
            String summary = server.output().stream().filter(l -> l.contains("per worker")).findFirst().orElseThrow();
            int[] counts = Arrays.stream(summary.substring(summary.indexOf("per worker") + 11).split(" "))
                    .mapToInt(Integer::parseInt).toArray();
            assertThat(counts).hasSize(4);
            assertThat(Arrays.stream(counts).sum()).isEqualTo(24);
            // the 4-tuple hash gives every listener a share, none all of them
            assertThat(Arrays.stream(counts).boxed().toList()).as(summary).allMatch(n -> n > 0 && n < 24);
        }
    }

    static ProcLab.Run startShell(ProcLab lab, String node, String command) {
        java.util.List<String> out = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        return new ProcLab.Run(lab.lab.exec(node, command, out::add), out);
    }
}
