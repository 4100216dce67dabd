package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.EPOLLET;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLONESHOT;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_ADD;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_MOD;
import static dev.wirelab.netstack.socket.Sys.SOCK_DGRAM;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;
import static org.assertj.core.api.Assertions.assertThat;

/** The system call layer over UDP: blocking and non-blocking calls, errno, readiness, io_uring, threads. */
class UdpSyscallTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b, int n) {
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Expects the call to fail with {@code errno}. */
    interface Failing {
        void run() throws Exception;
    }

    private static String errnoOf(Failing f) throws Exception {
        try {
            f.run();
            return "no error";
        } catch (SyscallException e) {
            return e.errno().name();
        }
    }

    @Test
    void blockingEchoOverUdpWithTheCallsTraced() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run server = lab.start("h2", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(7));
                byte[] buf = new byte[100];
                for (int i = 0; i < 3; i++) {
                    Process.Received r = p.recvfrom(s, buf, 0, buf.length, 0);
                    p.sendto(s, buf, 0, r.length(), 0, r.from());
                }
                return 0;
            });
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                byte[] buf = new byte[100];
                for (int i = 0; i < 3; i++) {
                    p.sendto(s, bytes("ping " + i), 0, 6, 0, SockAddr.of("10.0.0.2", 7));
                    Process.Received r = p.recvfrom(s, buf, 0, buf.length, 0);
                    p.println(text(buf, r.length()) + " from " + r.from());
                }
                return 0;
            });
            assertThat(client.exitCode()).as(client.text()).isZero();
            assertThat(client.output()).containsExactly("ping 0 from 10.0.0.2:7", "ping 1 from 10.0.0.2:7",
                    "ping 2 from 10.0.0.2:7");
            lab.advance(Duration.ofMillis(10));
            assertThat(server.exit()).isCompletedWithValue(0);

            List<TraceEvent> recv = lab.lab.trace().events(e -> e.layer().equals("syscall") && e.kind().equals("recvfrom")
                    && e.node().equals("h2"));
            assertThat(recv).hasSize(3);
            // The first recvfrom waited for the client's first datagram: one ARP exchange plus one
            // 1 ms hop at least; the calls carry pid, program, fd and the sender.
            assertThat((long) recv.get(0).detail().get("blocked_ns")).isGreaterThanOrEqualTo(1_000_000L);
            assertThat(recv.get(0).detail()).containsEntry("fd", 3).containsEntry("result", 6L)
                    .containsEntry("from", "10.0.0.1:32768").containsKey("pid");
        }
    }

    @Test
    void errnoSemanticsOfSocketsAndDescriptors() {
        try (ProcLab lab = ProcLab.pair()) {
            ExecResult r = lab.run("h1", p -> {
                int a = p.socket(AF_INET, SOCK_DGRAM, 0);
                int b = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                p.println("fds " + a + " " + b);
                p.bind(a, SockAddr.any(5000));
                p.println("bind again: " + errnoOf(() -> p.bind(b, SockAddr.any(5000))));
                p.println("bind foreign: " + errnoOf(() -> p.bind(b, SockAddr.of("10.9.9.9", 5001))));
                byte[] buf = new byte[10];
                p.println("nonblocking recv: " + errnoOf(() -> p.recv(b, buf, 0, 10, 0)));
                p.println("dontwait recv: " + errnoOf(() -> p.recv(a, buf, 0, 10, Sys.MSG_DONTWAIT)));
                p.println("send unconnected: " + errnoOf(() -> p.send(a, buf)));
                p.println("getpeername: " + errnoOf(() -> p.getpeername(a)));
                p.println("bad fd: " + errnoOf(() -> p.recv(99, buf, 0, 10, 0)));
                int[] pipe = p.pipe();
                p.println("not a socket: " + errnoOf(() -> p.send(pipe[1], buf)));
                p.println("bad family: " + errnoOf(() -> p.socket(10, SOCK_DGRAM, 0)));
                p.println("bad protocol: " + errnoOf(() -> p.socket(AF_INET, SOCK_DGRAM, 6)));
                p.println("no route: " + errnoOf(() -> p.sendto(a, buf, 0, 1, 0, SockAddr.of("192.0.2.1", 9))));
                p.println("unknown option: " + errnoOf(() -> p.setsockopt(a, Sys.SOL_SOCKET, 999, 1)));
                p.setsockopt(a, Sys.SOL_SOCKET, Sys.SO_RCVBUF, 1000);
                p.println("rcvbuf " + p.getsockopt(a, Sys.SOL_SOCKET, Sys.SO_RCVBUF));
                p.println("flags nonblock " + ((p.fcntl(b, Sys.F_GETFL, 0) & Sys.O_NONBLOCK) != 0));
                p.fcntl(b, Sys.F_SETFL, 0);
                p.println("flags after " + ((p.fcntl(b, Sys.F_GETFL, 0) & Sys.O_NONBLOCK) != 0));
                p.close(a);
                p.println("close twice: " + errnoOf(() -> p.close(a)));
                int c = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.println("lowest free fd reused: " + c);
                p.bind(c, SockAddr.any(5000)); // free again after close
                p.println("name " + p.getsockname(c));
                return 0;
            });
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly(
                    "fds 3 4",
                    "bind again: EADDRINUSE",
                    "bind foreign: EADDRNOTAVAIL",
                    "nonblocking recv: EAGAIN",
                    "dontwait recv: EAGAIN",
                    "send unconnected: EDESTADDRREQ",
                    "getpeername: ENOTCONN",
                    "bad fd: EBADF",
                    "not a socket: ENOTSOCK",
                    "bad family: EAFNOSUPPORT",
                    "bad protocol: EPROTONOSUPPORT",
                    "no route: ENETUNREACH",
                    "unknown option: ENOPROTOOPT",
                    "rcvbuf 2304",
                    "flags nonblock true",
                    "flags after false",
                    "close twice: EBADF",
                    "lowest free fd reused: 3",
                    "name 0.0.0.0:5000");
        }
    }

    @Test
    void theDescriptorTableGivesTheLowestFreeNumberAndHasALimit() {
        try (ProcLab lab = ProcLab.pair()) {
            ExecResult r = lab.run("h1", p -> {
                p.println("first " + p.socket(AF_INET, SOCK_DGRAM, 0));
                p.close(1); // stdout: the next descriptor takes its number, as on Linux
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.println("reused " + s); // stdout is gone: this line is lost
                p.close(s);
                int n = 0;
                try {
                    while (true) {
                        p.socket(AF_INET, SOCK_DGRAM, 0);
                        n++;
                    }
                } catch (SyscallException e) {
                    byte[] msg = ("opened " + n + " more: " + e.errno().name() + "\n").getBytes();
                    p.write(2, msg, 0, msg.length); // stderr still reaches the terminal
                    return 0;
                }
            });
            // descriptors 0, 2 and the first socket (3) stay open: 1024 - 3 more fit, then EMFILE
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly("first 3", "opened 1021 more: EMFILE");
        }
    }

    @Test
    void connectedUdpReportsPortUnreachableAsConnectionRefused() {
        try (ProcLab lab = ProcLab.pair()) {
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.connect(s, SockAddr.of("10.0.0.2", 9999));
                p.println("local " + p.getsockname(s) + " peer " + p.getpeername(s));
                p.send(s, bytes("x"));
                byte[] buf = new byte[10];
                p.println("recv: " + errnoOf(() -> p.recv(s, buf, 0, 10, 0)));
                return 0;
            });
            assertThat(r.output()).containsExactly("local 10.0.0.1:32768 peer 10.0.0.2:9999", "recv: ECONNREFUSED");
        }
    }

    @Test
    void epollLevelTriggeredReportsUntilDrainedEdgeTriggeredOncePerArrival() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run receiver = lab.start("h2", p -> {
                int lt = p.socket(AF_INET, SOCK_DGRAM, 0);
                int et = p.socket(AF_INET, SOCK_DGRAM, 0);
                int one = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(lt, SockAddr.any(7001));
                p.bind(et, SockAddr.any(7002));
                p.bind(one, SockAddr.any(7003));
                int ep = p.epollCreate();
                p.epollCtl(ep, EPOLL_CTL_ADD, lt, EPOLLIN, lt);
                p.epollCtl(ep, EPOLL_CTL_ADD, et, EPOLLIN | EPOLLET, et);
                p.epollCtl(ep, EPOLL_CTL_ADD, one, EPOLLIN | EPOLLONESHOT, one);
                EpollEvent[] ev = new EpollEvent[8];
                // round 1: one datagram arrived on each socket (the sender sends at t=0)
                p.sleep(50_000_000);
                p.println("round1 " + fds(ev, p.epollWait(ep, ev, 8, 0)));
                // nothing was read: LT reports again, ET and ONESHOT do not
                p.println("round2 " + fds(ev, p.epollWait(ep, ev, 8, 0)));
                byte[] buf = new byte[64];
                p.recv(lt, buf, 0, 64, 0);
                // LT drained: silent; ET still holds an unread datagram but had no new arrival: silent
                p.println("round3 " + fds(ev, p.epollWait(ep, ev, 8, 0)));
                // the second datagrams arrive at t=101ms: LT and ET report, ONESHOT stays disarmed
                int n = p.epollWait(ep, ev, 8, 500);
                p.println("round4 " + fds(ev, n) + " at " + p.now() / 1_000_000 + "ms");
                p.epollCtl(ep, EPOLL_CTL_MOD, one, EPOLLIN | EPOLLONESHOT, one);
                p.println("round5 " + fds(ev, p.epollWait(ep, ev, 8, 0)));
                p.recv(lt, buf, 0, 64, 0);
                p.println("timeout " + p.epollWait(ep, ev, 8, 20) + " at " + p.now() / 1_000_000 + "ms");
                return 0;
            });
            lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                for (int round = 0; round < 2; round++) {
                    for (int port = 7001; port <= 7003; port++) {
                        p.sendto(s, bytes("r" + round), 0, 2, 0, SockAddr.of("10.0.0.2", port));
                    }
                    p.sleep(100_000_000);
                }
                return 0;
            });
            lab.advance(Duration.ofSeconds(1));
            assertThat(receiver.exit()).isCompletedWithValue(0);
            assertThat(receiver.output()).containsExactly(
                    "round1 [3, 4, 5]",
                    "round2 [3]",
                    "round3 []",
                    "round4 [3, 4] at 101ms",
                    "round5 [3, 5]",
                    "timeout 0 at 121ms");
        }
    }

    private static String fds(EpollEvent[] ev, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append(ev[i].data());
        }
        return b.append("]").toString();
    }

    @Test
    void pollAndSelectWaitForDataOrTimeOutInLabTime() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run r = lab.start("h2", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(9000));
                long t0 = p.now();
                PollFd[] pfd = {new PollFd(s, Sys.POLLIN)};
                p.println("poll " + p.poll(pfd, 30) + " after " + (p.now() - t0) / 1_000_000 + "ms");
                p.println("poll " + p.poll(pfd, -1) + " " + pfd[0] + " at " + p.now() / 1_000_000 + "ms");
                BitSet rd = new BitSet();
                rd.set(s);
                BitSet wr = new BitSet();
                wr.set(s);
                p.println("select " + p.select(s + 1, rd, wr, null, 0) + " read=" + rd + " write=" + wr);
                return 0;
            });
            lab.advance(Duration.ofMillis(40));
            lab.run("h1", p -> {
                p.sleep(60_000_000);
                p.sendto(p.socket(AF_INET, SOCK_DGRAM, 0), bytes("hi"), 0, 2, 0, SockAddr.of("10.0.0.2", 9000));
                return 0;
            });
            lab.advance(Duration.ofMillis(50));
            assertThat(r.output()).containsExactly(
                    "poll 0 after 30ms",
                    "poll 1 {fd=3, events=EPOLLIN, revents=EPOLLIN} at 103ms",
                    "select 2 read={3} write={3}");
        }
    }

    @Test
    void threadsHandWorkThroughAPipeAndJoin() {
        try (ProcLab lab = ProcLab.pair()) {
            ExecResult r = lab.run("h1", p -> {
                int[] pipe = p.pipe();
                int[] tids = new int[3];
                for (int w = 0; w < 3; w++) {
                    int worker = w;
                    tids[w] = p.spawn("worker" + w, () -> {
                        byte[] b = new byte[1];
                        while (p.read(pipe[0], b, 0, 1) == 1 && b[0] != 0) {
                            p.sleep(10_000_000L * (worker + 1));
                            p.println("worker" + worker + " job " + b[0] + " at " + p.now() / 1_000_000);
                        }
                    });
                }
                for (byte job = 1; job <= 6; job++) {
                    p.write(pipe[1], new byte[] {job}, 0, 1);
                }
                p.write(pipe[1], new byte[] {0, 0, 0}, 0, 3);
                for (int t : tids) {
                    p.join(t);
                }
                p.close(pipe[1]);
                p.println("done at " + p.now() / 1_000_000);
                return 7;
            });
            assertThat(r.exitCode()).isEqualTo(7);
            assertThat(r.output()).containsExactly(
                    "worker0 job 1 at 10", "worker1 job 2 at 20", "worker0 job 4 at 20", "worker2 job 3 at 30",
                    "worker0 job 6 at 30", "worker1 job 5 at 40", "done at 40");
        }
    }

    @Test
    void ioUringCompletesReceivesSendsTimeoutsAndFailures() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run server = lab.start("h2", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(7));
                IoUring ring = p.ioUringSetup(6);
                byte[] buf = new byte[64];
                ring.prepRecv(s, buf, 0, 64, 0, 1);
                ring.prepTimeout(5_000_000, 2);
                ring.prepRecv(77, buf, 0, 1, 0, 3);
                p.println("entries " + ring.entries() + " submitted " + ring.submit());
                for (int i = 0; i < 3; i++) {
                    IoUring.Cqe c = ring.waitCqe();
                    p.println("cqe " + c.userData() + " res " + (c.failed() ? c.errno().name() : String.valueOf(c.res()))
                            + " at " + p.now() / 1_000_000 + "ms");
                }
                p.connect(s, SockAddr.of("10.0.0.1", 5555));
                ring.prepSend(s, buf, 0, 4, 0, 4);
                ring.prepClose(s, 5);
                ring.submitAndWait(2);
                p.println("cqe " + ring.peekCqe() + " " + ring.peekCqe() + " then " + ring.peekCqe());
                p.println("close again: " + errnoOf(() -> p.close(s)));
                return 0;
            });
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(5555));
                p.sleep(10_000_000);
                p.sendto(s, bytes("ring"), 0, 4, 0, SockAddr.of("10.0.0.2", 7));
                byte[] b = new byte[10];
                int n = p.recv(s, b, 0, 10, 0);
                p.println("echo " + text(b, n));
                return 0;
            });
            assertThat(client.output()).containsExactly("echo ring");
            lab.advance(Duration.ofMillis(10));
            assertThat(server.output()).containsExactly(
                    "entries 8 submitted 3",
                    "cqe 3 res EBADF at 0ms",
                    "cqe 2 res ETIME at 5ms",
                    "cqe 1 res 4 at 13ms",
                    "cqe Cqe[userData=4, res=4, flags=0] Cqe[userData=5, res=0, flags=0] then null",
                    "close again: EBADF");
            assertThat(lab.lab.trace().events(e -> e.layer().equals("io_uring"))).extracting(TraceEvent::kind)
                    .containsExactly("recv", "timeout", "recv", "send", "close");
        }
    }

    @Test
    void nodeFilesThroughOpenReadWrite() {
        try (ProcLab lab = ProcLab.pair()) {
            NodeFiles.of(lab.lab.node("h1")).put("/etc/motd", "hello\n");
            ExecResult r = lab.run("h1", p -> {
                int f = p.open("/etc/motd", Sys.O_RDONLY);
                byte[] b = new byte[100];
                p.println("read " + text(b, p.read(f, b, 0, 100)).strip() + " size " + p.fileSize(f));
                p.println("missing: " + errnoOf(() -> p.open("/nope", Sys.O_RDONLY)));
                p.println("write to read-only: " + errnoOf(() -> p.write(f, b, 0, 1)));
                int w = p.open("/tmp/out", Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC);
                p.write(w, bytes("abc"), 0, 3);
                p.write(w, bytes("def"), 0, 3);
                p.close(w);
                return 0;
            });
            assertThat(r.output()).containsExactly("read hello size 6", "missing: ENOENT", "write to read-only: EBADF");
            assertThat(NodeFiles.of(lab.lab.node("h1")).get("/tmp/out")).hasValueSatisfying(
                    v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("abcdef"));
        }
    }

    @Test
    void directoriesThroughOpenAndGetdents64() {
        try (ProcLab lab = ProcLab.pair()) {
            NodeFiles files = NodeFiles.of(lab.lab.node("h1"));
            files.put("/srv/b.txt", "b");
            files.put("/srv/a.txt", "a");
            files.put("/srv/sub/deep/x", "x");
            files.put("/srv/sub/y", "y");
            ExecResult r = lab.run("h1", p -> {
                int d = p.open("/srv", Sys.O_RDONLY | Sys.O_DIRECTORY);
                p.println("first " + p.getdents64(d, 3));
                p.println("rest " + p.getdents64(d, 3));
                p.println("end " + p.getdents64(d, 3));
                p.println("read: " + errnoOf(() -> p.read(d, new byte[8], 0, 8)));
                p.close(d);
                int sub = p.open("/srv/sub", Sys.O_RDONLY | Sys.O_DIRECTORY);
                p.println("sub " + p.getdents64(sub, 100).stream().skip(2).toList());
                p.close(sub);
                p.println("root has srv: " + p.getdents64(p.open("/", Sys.O_RDONLY | Sys.O_DIRECTORY), 100).stream()
                        .anyMatch(e -> e.name().equals("srv") && e.directory()));
                p.println("file: " + errnoOf(() -> p.open("/srv/a.txt", Sys.O_RDONLY | Sys.O_DIRECTORY)));
                p.println("missing: " + errnoOf(() -> p.open("/nope", Sys.O_RDONLY | Sys.O_DIRECTORY)));
                p.println("for writing: " + errnoOf(() -> p.open("/srv", Sys.O_WRONLY | Sys.O_DIRECTORY)));
                p.println("without O_DIRECTORY: " + errnoOf(() -> p.open("/srv", Sys.O_RDONLY)));
                int f = p.open("/srv/a.txt", Sys.O_RDONLY);
                p.println("getdents64 of a file: " + errnoOf(() -> p.getdents64(f, 10)));
                return 0;
            });
            assertThat(r.output()).containsExactly(
                    "first [Entry[name=., directory=true], Entry[name=.., directory=true], Entry[name=a.txt, directory=false]]",
                    "rest [Entry[name=b.txt, directory=false], Entry[name=sub, directory=true]]",
                    "end []",
                    "read: EISDIR",
                    "sub [Entry[name=deep, directory=true], Entry[name=y, directory=false]]",
                    "root has srv: true",
                    "file: ENOTDIR",
                    "missing: ENOENT",
                    "for writing: EISDIR",
                    "without O_DIRECTORY: ENOENT",
                    "getdents64 of a file: ENOTDIR");
            assertThat(lab.lab.trace().events(e -> e.kind().equals("getdents64")).get(0).detail())
                    .containsEntry("count", 3).containsEntry("result", 3L);
        }
    }

    @Test
    void cancellingABlockedProgramEndsItWithStatus130AndFreesItsPort() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run blocked = lab.start("h2", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(4000));
                p.recv(s, new byte[1], 0, 1, 0);
                return 0;
            });
            lab.advance(Duration.ofMillis(5));
            assertThat(blocked.done()).isFalse();
            blocked.exit().cancel(false);
            // the process notices at its next system call; another process binding the port is one
            ExecResult other = lab.run("h2", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.bind(s, SockAddr.any(4000));
                p.println("bound");
                return 0;
            });
            assertThat(other.output()).containsExactly("bound");
            assertThat(lab.kernel("h2").processes()).isEmpty();
        }
    }

    @Test
    void aThreadThatThrowsEndsTheProcessWithStatus1() {
        try (ProcLab lab = ProcLab.pair()) {
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                p.spawn("bad", () -> {
                    throw new IllegalStateException("boom");
                });
                p.recv(s, new byte[1], 0, 1, 0); // would wait forever
                return 0;
            });
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.output()).containsExactly("t0: java.lang.IllegalStateException: boom");
        }
    }

    @Test
    void sharedUdpPortsFollowLinux() {
        try (ProcLab lab = ProcLab.pair()) {
            ProcLab.Run r = lab.start("h2", p -> {
                int plain = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                p.bind(plain, SockAddr.any(5000));
                int second = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                p.setsockopt(second, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                try {
                    p.bind(second, SockAddr.any(5000));
                    p.println("second bind ok");
                } catch (SyscallException e) {
                    p.println("second bind " + e.errno()); // only one of the two asked to share
                }
                // Both set SO_REUSEADDR: they share 6000, and the one bound last gets unicast.
                int a = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                int b = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                p.setsockopt(a, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.setsockopt(b, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.bind(a, SockAddr.any(6000));
                p.bind(b, SockAddr.any(6000));
                p.println("shared bind ok");
                // SO_REUSEPORT on 7000: four sockets share unicast by flow.
                int[] group = new int[4];
                for (int i = 0; i < group.length; i++) {
                    group[i] = p.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
                    p.setsockopt(group[i], Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1);
                    p.bind(group[i], SockAddr.any(7000));
                }
                p.sleep(200_000_000L); // h1 sends meanwhile
                byte[] buf = new byte[64];
                p.println("a got " + drain(p, a, buf) + ", b got " + drain(p, b, buf));
                StringBuilder perSocket = new StringBuilder();
                int total = 0;
                int used = 0;
                for (int g : group) {
                    int n = drain(p, g, buf);
                    total += n;
                    used += n > 0 ? 1 : 0;
                }
                p.println("reuseport: " + total + " datagrams over " + used + " sockets");
                return 0;
            });
            ExecResult sender = lab.run("h1", p -> {
                for (int i = 0; i < 3; i++) {
                    int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                    p.sendto(s, bytes("x"), 0, 1, 0, SockAddr.of("10.0.0.2", 6000));
                    p.close(s);
                }
                for (int i = 0; i < 32; i++) { // 32 flows: each its own source port
                    int s = p.socket(AF_INET, SOCK_DGRAM, 0);
                    p.sendto(s, bytes("y"), 0, 1, 0, SockAddr.of("10.0.0.2", 7000));
                    p.sendto(s, bytes("z"), 0, 1, 0, SockAddr.of("10.0.0.2", 7000));
                    p.close(s);
                }
                return 0;
            });
            assertThat(sender.exitCode()).as(sender.text()).isZero();
            lab.advance(Duration.ofMillis(300));
            assertThat(r.exit()).isCompletedWithValue(0);
            assertThat(r.output()).containsExactly("second bind EADDRINUSE", "shared bind ok", "a got 0, b got 3",
                    "reuseport: 64 datagrams over 4 sockets");
        }
    }

    private static int drain(Process p, int fd, byte[] buf) throws SyscallException {
        int n = 0;
        while (true) {
            try {
                p.recvfrom(fd, buf, 0, buf.length, 0);
                n++;
            } catch (SyscallException e) {
                return n; // EAGAIN: empty
            }
        }
    }
}
