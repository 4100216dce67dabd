package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 7, listen queues. What it teaches: connections whose handshake is complete wait in the
 * listener's accept queue until the program calls accept(); it holds backlog + 1 (Linux's
 * sk_acceptq_is_full). When it is full, a handshake's last ACK is dropped (and a new SYN too): the
 * client believes it is connected and sends its request, which nobody acknowledges, so it sends
 * it again after its retransmission timeout, until the program accepts. Clients wait; none fails.
 * And a
 * listener keeps half-open connections (SYN
 * received, SYN-ACK sent) in its SYN queue, at most its backlog; spoofed SYNs from addresses that
 * never answer fill it, and with tcp_syncookies=0 every further SYN is dropped, the legitimate
 * client's too: its connect times out. With SYN cookies (tcp_syncookies=1, Linux's default) the
 * server answers a SYN it has no room for with a SYN-ACK whose sequence number encodes the
 * connection (RFC 4987 section 3.6) and keeps nothing; the client's ACK brings it back, and the
 * page comes.
 */
class ListenQueueExercise {

    static final String WEB = "10.0.2.10";
    static final String CLIENT = "10.0.1.10";

    /** h1 and an attacker on lan1; the web server (backlog 16) on lan2; spoofed sources route to a silent sink. */
    static final String TOPOLOGY = """
            name: listen-queues
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
              web:
                kind: web
                interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }
                routes: [ { to: default, via: 10.0.2.1 } ]
                httpd: "-b 16"
                files:
                  /var/www/index.html: "<title>still here</title>\\n"
            links:
              lan1: { delay: 500us }
              lan2: { delay: 500us }
              upstream: { delay: 5ms }
            """;

    /** A web server with backlog 2 whose single thread is held 3 s by an idle client. */
    static final String BUSY = """
            name: accept-queue
            segments: [lan]
            nodes:
              client:
                kind: host
                interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
              idler:
                kind: host
                interfaces: { eth0: { segment: lan, address: 10.0.0.11/24 } }
              web:
                kind: web
                interfaces: { eth0: { segment: lan, address: 10.0.0.80/24 } }
                httpd: "-q --mode single -b 2 -k 3"
            links:
              lan: { delay: 1ms }
            """;

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void aFullAcceptQueueMakesClientsWaitNotFail(Runtime runtime) {
        ExecResult ab;
        Trace trace;
        try (LabRun run = Journey.start(runtime, BUSY, 71)) {
            run.awaitEvent("web", "http", "server_start", Duration.ofSeconds(30));
            // The idler connects and sends nothing: httpd's one thread waits on it until its 3 s keep-alive timeout.
            run.exec("idler", "nc -w 10 10.0.0.80 80 &");
            run.pass(Duration.ofMillis(200));
            ab = run.exec("client", "ab -n 10 -c 10 -s 30 http://10.0.0.80/");
            trace = run.trace();
        }
        checkAcceptQueueOverflow(trace, ab);
    }

    static void checkAcceptQueueOverflow(Trace trace, ExecResult ab) {
        // Everyone is served in the end: the queue made them wait, it did not refuse them.
        assertThat(ab.output()).as(ab.toString()).contains("Complete requests:      10", "Failed requests:        0");
        // The accept queue fills to backlog + 1 = 3 and never beyond.
        assertThat(trace).acceptQueue("web", ":80").contains(3).allMatch(n -> n <= 3);
        // Past that, the handshakes' last ACKs are dropped...
        assertThat(trace).has(Events.of("web", "tcp", "drop").with("reason", "accept_queue_full"));
        // ...so a client that believes it is connected sends its request again after its RTO (RFC 6298),
        assertThat(trace).has(Events.of("client", "tcp", "retransmit").where("of its request",
                e -> Integer.parseInt(e.detail("len")) > 0));
        // ...and the waits show in ab's longest request, well above the 2 ms round trip.
        String longest = ab.output().stream().filter(l -> l.endsWith("(longest request)")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(longest.trim().split(" +")[1])).as(longest).isGreaterThan(1000);
    }

    record Attempt(Trace trace, ExecResult curl) {
    }

    /** The flood, then the legitimate client, with SYN cookies on the web server set to {@code syncookies}. */
    static Attempt flood(Runtime runtime, int syncookies) {
        try (LabRun run = Journey.start(runtime, TOPOLOGY, 7)) {
            run.awaitEvent("web", "http", "server_start", Duration.ofSeconds(30));
            ExecResult set = run.exec("web", "sysctl -w net.ipv4.tcp_syncookies=" + syncookies);
            assertThat(set.exitCode()).as(set.toString()).isZero();
            run.exec("attacker", "hping -S -p 80 --flood -c 300 --rand-source " + WEB);
            ExecResult curl = run.exec("h1", "curl -s -m 3 http://" + WEB + "/");
            return new Attempt(run.trace(), curl);
        }
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void withoutCookiesTheFullSynQueueShutsTheClientOut(Runtime runtime) {
        Attempt a = flood(runtime, 0);
        assertThat(a.curl().exitCode()).as("curl during the flood, no cookies: " + a.curl()).isEqualTo(28);
        checkFloodFillsTheQueue(a.trace());
        assertThat(a.trace()).has(Events.of("web", "tcp", "drop").with("reason", "syn_queue_full")
                        .where("from the client", e -> e.detail("remote").startsWith(CLIENT + ":")))
                .hasNo(Events.of("web", "tcp", "syncookie_sent"))
                .hasNo(Frames.tcpFlags("SA").on("lan1").to(CLIENT));
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void withCookiesTheClientStillConnects(Runtime runtime) {
        checkCookiesLetTheClientIn(flood(runtime, 1));
    }

    static void checkCookiesLetTheClientIn(Attempt a) {
        assertThat(a.curl().exitCode()).as(a.curl().toString()).isZero();
        assertThat(a.curl().text()).contains("still here");
        checkFloodFillsTheQueue(a.trace());
        assertThat(a.trace()).containsSubsequence(
                Frames.tcpFlags("S").on("lan2").from(CLIENT),
                Events.of("web", "tcp", "syncookie_sent").where("to the client", e -> e.detail("remote").startsWith(CLIENT + ":")),
                Frames.tcpFlags("SA").on("lan1").to(CLIENT),
                Events.of("web", "tcp", "syncookie_validated").where("from the client", e -> e.detail("remote").startsWith(CLIENT + ":")),
                Frames.http("HTTP/1.1 200").on("lan1").to(CLIENT));
    }

    static void checkFloodFillsTheQueue(Trace trace) {
        // The SYN queue grows with the spoofed SYNs up to the backlog, never beyond it.
        assertThat(trace).synQueue("web", ":80").contains(16).allMatch(n -> n <= 16);
        assertThat(trace).hasAtLeast(Frames.tcpFlags("S").on("lan2").to(WEB), 50);
    }
}
