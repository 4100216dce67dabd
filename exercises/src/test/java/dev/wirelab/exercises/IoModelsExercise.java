package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 8, I/O models. What it teaches: the same load ({@code ab -n 60 -c 6}, six clients at
 * a time) on one web server program written five ways, and what each way asks of the kernel:
 * <ul>
 *   <li>an iterative server (single): one thread, blocking accept() and recv(); it serves one
 *       connection at a time while the others wait in the listener's accept queue;</li>
 *   <li>a thread pool (threads): an acceptor thread hands connections to worker threads, which
 *       block in recv() each on its own connection, so several are served at once;</li>
 *   <li>several SO_REUSEPORT listeners (reuseport): one listening socket per worker thread, the
 *       kernel spreads new connections over them by a hash of the 4-tuple;</li>
 *   <li>readiness (epoll): one thread, non-blocking sockets; epoll_wait says which are ready,
 *       accept4() and recv() never wait, and end in EAGAIN when there is nothing more;</li>
 *   <li>completion (io_uring): one thread submits accept, recv and send requests to a ring and
 *       reaps their completions; it makes no accept() or recv() call of its own.</li>
 * </ul>
 * And on an echo server, epoll's two triggers (epoll(7)): edge-triggered, a readiness is
 * reported once, so the loop must read until EAGAIN; level-triggered, epoll_wait reports the
 * socket again as long as bytes remain, so one read per report is enough.
 */
class IoModelsExercise {

    static final String CLIENT = "client";
    static final Map<String, String> SERVERS = new LinkedHashMap<>();

    static {
        SERVERS.put("single", "10.0.0.21");
        SERVERS.put("threads", "10.0.0.22");
        SERVERS.put("reuseport", "10.0.0.23");
        SERVERS.put("epoll", "10.0.0.24");
        SERVERS.put("uring", "10.0.0.25");
    }

    /** A client, a web server per pattern and two echo hosts, on one segment. */
    static String topology() {
        StringBuilder y = new StringBuilder("""
                name: io-models
                segments: [lan]
                nodes:
                  client:
                    kind: host
                    interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
                  edge:
                    kind: host
                    interfaces: { eth0: { segment: lan, address: 10.0.0.31/24 } }
                  level:
                    kind: host
                    interfaces: { eth0: { segment: lan, address: 10.0.0.32/24 } }
                """);
        SERVERS.forEach((mode, address) -> y.append("  ").append(mode).append(":\n")
                .append("    kind: web\n")
                .append("    interfaces: { eth0: { segment: lan, address: ").append(address).append("/24 } }\n")
                .append("    httpd: \"-q --mode ").append(mode)
                .append(mode.equals("threads") || mode.equals("reuseport") ? " --workers 3" : "").append("\"\n"));
        y.append("links:\n  lan: { delay: 1ms }\n");
        return y.toString();
    }

    record Load(Trace trace, Map<String, ExecResult> ab, ExecResult edgeClient, ExecResult levelClient) {
    }

    /** 2,000 bytes for the echo servers: eight reads of 256. */
    static final String MESSAGE = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(56).substring(0, 1999);

    private static final Map<Runtime, Load> LOADS = new java.util.EnumMap<>(Runtime.class);

    /** The lab under load, once per runtime: both tests read the same trace. */
    static synchronized Load load(Runtime runtime) {
        return LOADS.computeIfAbsent(runtime, r -> load(r, topology()));
    }

    static Load load(Runtime runtime, String topology) {
        try (LabRun run = Journey.start(runtime, topology, 8)) {
            for (String server : SERVERS.keySet()) {
                run.awaitEvent(server, "http", "server_start", Duration.ofSeconds(30));
            }
            Map<String, ExecResult> ab = new LinkedHashMap<>();
            SERVERS.forEach((mode, address) -> ab.put(mode, run.exec(CLIENT, "ab -n 60 -c 6 http://" + address + "/hello.txt")));
            for (String trigger : List.of("edge", "level")) {
                ExecResult started = run.exec(trigger, "echod --mode epoll --trigger " + trigger + " --read-size 256 -n 1 &");
                assertThat(started.exitCode()).as(started.toString()).isZero();
            }
            // -q 1: the client closes a second after sending, so the server sees the bytes before the end.
            ExecResult edge = run.exec(CLIENT, "nc -q 1 10.0.0.31 7 --send " + MESSAGE);
            ExecResult level = run.exec(CLIENT, "nc -q 1 10.0.0.32 7 --send " + MESSAGE);
            return new Load(run.trace(), ab, edge, level);
        }
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void fiveServerPatternsUnderTheSameLoad(Runtime runtime) {
        Load load = load(runtime);
        for (Map.Entry<String, ExecResult> e : load.ab().entrySet()) {
            assertThat(e.getValue().output()).as(e.getKey() + " under load: " + e.getValue())
                    .contains("Complete requests:      60", "Failed requests:        0");
        }
        Trace t = load.trace();
        checkSingle(t);
        checkThreads(t);
        checkReusePort(t);
        checkEpoll(t);
        checkUring(t);
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void edgeTriggeredReadsUntilEagainLevelTriggeredIsToldAgain(Runtime runtime) {
        Load load = load(runtime);
        assertThat(load.edgeClient().text()).as(load.edgeClient().toString()).isEqualTo(MESSAGE);
        assertThat(load.levelClient().text()).as(load.levelClient().toString()).isEqualTo(MESSAGE);
        checkTriggers(load.trace());
    }

    // ------------------------------------------------------------------ the checks, one per pattern

    static void checkSingle(Trace t) {
        // Blocking: accept() waits for a client (it blocked); one thread does everything.
        assertThat(t).has(syscall("single", "accept").with("waited", "true").where("for a client", e -> true))
                .hasNo(syscall("single", "accept").with("errno", "EAGAIN"));
        assertThat(threadsCalling(t, "single", "recv")).as("the single server's threads that read requests").hasSize(1);
        assertThat(maxOpen(t, "single")).as("connections the single server had open at once").isEqualTo(1);
        // Meanwhile the other clients' connections wait, complete, in the accept queue.
        assertThat(t).acceptQueue("single", ":80").anyMatch(n -> n >= 2);
    }

    static void checkThreads(Trace t) {
        // The acceptor is the main thread; recv() and sendfile() run on pool threads.
        assertThat(t).has(syscall("threads", "accept").where("on the main thread", e -> e.detail("tid") == null))
                .hasNo(syscall("threads", "accept").where("on a pool thread", e -> e.detail("tid") != null))
                .hasNo(syscall("threads", "recv").where("on the main thread", e -> e.detail("tid") == null));
        assertThat(threadsCalling(t, "threads", "sendfile")).as("pool threads that sent a file").hasSizeGreaterThanOrEqualTo(2);
        assertThat(maxOpen(t, "threads")).as("connections served at once").isGreaterThanOrEqualTo(2);
    }

    static void checkReusePort(Trace t) {
        // Three listening sockets on port 80, each with SO_REUSEPORT, each accepting on its own thread.
        assertThat(t).hasCount(syscall("reuseport", "listen"), 3)
                .hasCount(syscall("reuseport", "setsockopt").where("SO_REUSEPORT", e -> "SO_REUSEPORT".equals(e.detail("option"))), 3);
        assertThat(threadsCalling(t, "reuseport", "accept")).as("worker threads the kernel gave connections to")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    static void checkEpoll(Trace t) {
        // Non-blocking: accept4() and recv() never wait; they say EAGAIN when there is nothing more.
        assertThat(t).has(syscall("epoll", "epoll_wait"))
                .has(syscall("epoll", "accept").with("errno", "EAGAIN"))
                .has(syscall("epoll", "recv").with("errno", "EAGAIN"))
                .hasNo(syscall("epoll", "accept").with("waited", "true"))
                .hasNo(syscall("epoll", "recv").with("waited", "true"));
        assertThat(threadsCalling(t, "epoll", "recv")).as("the epoll server's threads that read requests").hasSize(1);
        assertThat(maxOpen(t, "epoll")).as("connections one thread had open at once").isGreaterThanOrEqualTo(2);
    }

    static void checkUring(Trace t) {
        // Completion: the ring completes accept, recv and send; the process only enters the ring.
        assertThat(t).has(Events.of("uring", "io_uring", "accept"))
                .has(Events.of("uring", "io_uring", "recv"))
                .has(Events.of("uring", "io_uring", "send"))
                .has(syscall("uring", "io_uring_enter"))
                .hasNo(syscall("uring", "accept"))
                .hasNo(syscall("uring", "recv"));
        assertThat(maxOpen(t, "uring")).as("connections one thread had open at once").isGreaterThanOrEqualTo(2);
    }

    static void checkTriggers(Trace t) {
        Predicate<TracedEvent> eagain = e -> "EAGAIN".equals(e.detail("errno"));
        long edgeReads = t.events(syscall("edge", "recv")).stream().filter(eagain.negate()).count();
        long levelReads = t.events(syscall("level", "recv")).stream().filter(eagain.negate()).count();
        assertThat(edgeReads).as("edge's reads of at most 256 bytes").isGreaterThanOrEqualTo(2000 / 256);
        assertThat(levelReads).as("level's reads of at most 256 bytes").isGreaterThanOrEqualTo(2000 / 256);
        // Edge: registered with EPOLLET; read and accept loops that end in EAGAIN; fewer reports than reads.
        assertThat(t).has(syscall("edge", "epoll_ctl").withContaining("events", "EPOLLET"))
                .has(syscall("edge", "recv").with("errno", "EAGAIN"))
                .has(syscall("edge", "accept").with("errno", "EAGAIN"));
        assertThat(reports(t, "edge")).as("edge: readiness reports, fewer than its reads").isLessThan(edgeReads);
        // Level: no EPOLLET; one read per report, never EAGAIN.
        assertThat(t).hasNo(syscall("level", "epoll_ctl").withContaining("events", "EPOLLET"))
                .hasNo(syscall("level", "recv").with("errno", "EAGAIN"))
                .hasNo(syscall("level", "accept").with("errno", "EAGAIN"));
        assertThat(reports(t, "level")).as("level: a readiness report for each read").isGreaterThanOrEqualTo(levelReads);
    }

    // ------------------------------------------------------------------ helpers on the node's calls

    /** A system call of the node's server program ({@code kind} null: any call). */
    static dev.wirelab.kit.trace.EventMatch syscall(String node, String kind) {
        Predicate<TracedEvent> server = e -> !"ab".equals(e.detail("program")) && !"nc".equals(e.detail("program"));
        return (kind == null ? Events.of(node, "syscall") : Events.of(node, "syscall", kind))
                .where("of the server", server);
    }

    /** Sum of epoll_wait's results: how many readiness reports the node's loop got. */
    static long reports(Trace t, String node) {
        return t.events(syscall(node, "epoll_wait")).stream().mapToLong(e -> Long.parseLong(e.detail("result"))).sum();
    }

    static Set<String> threadsCalling(Trace t, String node, String kind) {
        Set<String> tids = new HashSet<>();
        for (TracedEvent e : t.events(syscall(node, kind))) {
            tids.add(String.valueOf(e.detail("tid")));
        }
        return tids;
    }

    /**
     * Most accepted connections open at the same time: a descriptor is open from the accept that
     * returned it (a call, or an io_uring completion) to its close.
     */
    static int maxOpen(Trace t, String node) {
        Set<String> open = new HashSet<>();
        int max = 0;
        for (TracedEvent e : t.events()) {
            if (!node.equals(e.node()) || !(e.layer().equals("syscall") || e.layer().equals("io_uring"))) {
                continue;
            }
            String result = e.detail("result");
            boolean ok = result != null && !result.startsWith("-");
            if ((e.kind().equals("accept") || e.kind().equals("accept4")) && ok) {
                open.add(result);
                max = Math.max(max, open.size());
            } else if (e.kind().equals("close") && e.detail("fd") != null) {
                open.remove(e.detail("fd"));
            }
        }
        return max;
    }
}
