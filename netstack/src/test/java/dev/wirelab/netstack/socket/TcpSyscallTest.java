package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static dev.wirelab.netstack.socket.Sys.SOL_SOCKET;
import static org.assertj.core.api.Assertions.assertThat;

/** The system calls over TCP, with Linux's errno semantics, in virtual time across a router. */
class TcpSyscallTest {

    private static final SockAddr SERVER = SockAddr.of("10.0.2.10", 7);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    interface Failing {
        void run() throws Exception;
    }

    private static String errnoOf(Failing f) throws Exception {
        try {
            f.run();
            return "ok";
        } catch (SyscallException e) {
            return e.errno().name();
        }
    }

    /** A blocking echo server for {@code connections} connections, one after the other. */
    private static Kernel.Main echoServer(int connections) {
        return p -> {
            int ls = p.socket(AF_INET, SOCK_STREAM, 0);
            p.setsockopt(ls, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
            p.bind(ls, SockAddr.any(7));
            p.listen(ls, 16);
            byte[] buf = new byte[4096];
            for (int i = 0; i < connections; i++) {
                int c = p.accept(ls);
                p.println("accepted " + p.getpeername(c) + " on " + p.getsockname(c));
                int n;
                while ((n = p.recv(c, buf, 0, buf.length, 0)) > 0) {
                    p.send(c, buf, 0, n, 0);
                }
                p.close(c);
            }
            return 0;
        };
    }

    @Test
    void blockingClientAndServerExchangeAStreamThroughARouter() throws Exception {
        byte[] data = new byte[200_000];
        new Random(1).nextBytes(data);
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = lab.start("h2", echoServer(1));
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s, SERVER);
                p.println("connected " + p.getsockname(s) + " -> " + p.getpeername(s));
                // a writer thread while this one reads: a blocking send of 200 kB needs a reader
                int writer = p.spawn("writer", () -> {
                    p.send(s, data, 0, data.length, 0);
                    p.shutdown(s, Sys.SHUT_WR);
                });
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[8192];
                long total = 0;
                int n;
                while ((n = p.recv(s, buf, 0, buf.length, 0)) > 0) {
                    sha.update(buf, 0, n);
                    total += n;
                }
                p.join(writer);
                p.close(s);
                p.println("echoed " + total + " sha " + HexFormat.of().formatHex(sha.digest()));
                return 0;
            });
            assertThat(client.exitCode()).as(client.text()).isZero();
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(client.output()).containsExactly("connected 10.0.1.10:" + client.output().get(0).split(":")[1]
                    .split(" ")[0] + " -> 10.0.2.10:7", "echoed 200000 sha " + expected);
            lab.advance(Duration.ofMillis(100));
            assertThat(server.exit()).isCompletedWithValue(0);
            assertThat(server.output().get(0)).startsWith("accepted 10.0.1.10:").endsWith(" on 10.0.2.10:7");
        }
    }

    @Test
    void connectToAClosedPortIsRefused() {
        try (ProcLab lab = ProcLab.routed()) {
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.println("connect: " + errnoOf(() -> p.connect(s, SockAddr.of("10.0.2.10", 81))));
                p.println("again starts over: " + errnoOf(() -> p.connect(s, SockAddr.of("10.0.2.10", 81))));
                int u = p.socket(AF_INET, SOCK_STREAM, 0);
                p.println("no route: " + errnoOf(() -> p.connect(u, SockAddr.of("192.0.2.1", 80))));
                return 0;
            });
            assertThat(r.output()).containsExactly("connect: ECONNREFUSED", "again starts over: ECONNREFUSED",
                    "no route: ENETUNREACH");
        }
    }

    @Test
    void nonBlockingConnectIsInProgressThenWritable() {
        try (ProcLab lab = ProcLab.routed()) {
            lab.start("h2", echoServer(1));
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                long t0 = p.now();
                p.println("connect: " + errnoOf(() -> p.connect(s, SERVER)));
                p.println("again: " + errnoOf(() -> p.connect(s, SERVER)));
                byte[] buf = new byte[10];
                p.println("recv while connecting: " + errnoOf(() -> p.recv(s, buf, 0, 10, 0)));
                PollFd[] pfd = {new PollFd(s, Sys.POLLOUT)};
                p.println("poll " + p.poll(pfd, 1000) + " " + Sys.epollNames(pfd[0].revents) + " after "
                        + (p.now() - t0) / 1000 + "us");
                p.println("SO_ERROR " + p.getsockopt(s, SOL_SOCKET, Sys.SO_ERROR));
                p.println("connect after completion: " + errnoOf(() -> p.connect(s, SERVER)));
                p.println("connect once more: " + errnoOf(() -> p.connect(s, SERVER)));
                p.println("recv on empty: " + errnoOf(() -> p.recv(s, buf, 0, 10, 0)));
                p.send(s, bytes("hello"));
                pfd[0].events = Sys.POLLIN;
                p.poll(pfd, 1000);
                int n = p.recv(s, buf, 0, 10, 0);
                p.println("echo " + new String(buf, 0, n, StandardCharsets.UTF_8));
                return 0;
            });
            assertThat(r.output()).containsExactly(
                    "connect: EINPROGRESS",
                    "again: EALREADY",
                    "recv while connecting: EAGAIN",
                    // ARP on lan1, SYN to r1, ARP on lan2 (h2 learns r1 from the request), SYN, SYN-ACK
                    "poll 1 EPOLLOUT after 3500us",
                    "SO_ERROR 0",
                    "connect after completion: ok",
                    "connect once more: EISCONN",
                    "recv on empty: EAGAIN",
                    "echo hello");
        }
    }

    @Test
    void writeAfterThePeerResetIsConnectionResetThenBrokenPipe() {
        try (ProcLab lab = ProcLab.routed()) {
            lab.start("h2", p -> {
                int ls = p.socket(AF_INET, SOCK_STREAM, 0);
                p.bind(ls, SockAddr.any(7));
                p.listen(ls, 1);
                int c = p.accept(ls);
                p.sleep(20_000_000);
                p.close(c); // unread data: Linux (and RFC 2525 section 2.17) resets
                return 0;
            });
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s, SERVER);
                p.send(s, bytes("unread"));
                p.sleep(50_000_000);
                PollFd[] pfd = {new PollFd(s, Sys.POLLIN | Sys.POLLOUT)};
                p.poll(pfd, 0);
                p.println("poll " + Sys.epollNames(pfd[0].revents));
                p.println("send: " + errnoOf(() -> p.send(s, bytes("x"))));
                p.println("send: " + errnoOf(() -> p.send(s, bytes("x"))));
                p.println("recv: " + p.recv(s, new byte[4], 0, 4, 0));
                return 0;
            });
            assertThat(r.output()).containsExactly(
                    "poll EPOLLIN|EPOLLOUT|EPOLLERR|EPOLLHUP",
                    "send: ECONNRESET", "send: EPIPE", "recv: 0");
            assertThat(lab.lab.trace().events(e -> e.layer().equals("syscall") && e.kind().equals("send")
                    && "ECONNRESET".equals(e.detail().get("errno")))).hasSize(1);
        }
    }

    @Test
    void bindConflictsFollowReuseAddrAndReusePort() {
        try (ProcLab lab = ProcLab.routed()) {
            ExecResult r = lab.run("h2", p -> {
                int a = p.socket(AF_INET, SOCK_STREAM, 0);
                int b = p.socket(AF_INET, SOCK_STREAM, 0);
                p.bind(a, SockAddr.any(8080));
                p.println("plain twice: " + errnoOf(() -> p.bind(b, SockAddr.any(8080))));
                p.println("specific over wildcard: " + errnoOf(() -> p.bind(b, SockAddr.of("10.0.2.10", 8080))));
                p.println("bound again: " + errnoOf(() -> p.bind(a, SockAddr.any(8081))));
                int c = p.socket(AF_INET, SOCK_STREAM, 0);
                int d = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(c, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.setsockopt(d, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.bind(c, SockAddr.any(9090));
                p.println("reuseaddr both bound: " + errnoOf(() -> p.bind(d, SockAddr.any(9090))));
                p.listen(c, 5);
                int e = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(e, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.println("reuseaddr over a listener: " + errnoOf(() -> p.bind(e, SockAddr.any(9090))));
                p.println("second listen: " + errnoOf(() -> p.listen(d, 5)));
                int f = p.socket(AF_INET, SOCK_STREAM, 0);
                int g = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(f, SOL_SOCKET, Sys.SO_REUSEPORT, 1);
                p.setsockopt(g, SOL_SOCKET, Sys.SO_REUSEPORT, 1);
                p.bind(f, SockAddr.any(7070));
                p.listen(f, 5);
                p.println("reuseport listeners: " + errnoOf(() -> {
                    p.bind(g, SockAddr.any(7070));
                    p.listen(g, 5);
                }));
                int h = p.socket(AF_INET, SOCK_STREAM, 0);
                p.println("reuseport needs both: " + errnoOf(() -> p.bind(h, SockAddr.any(7070))));
                p.println("foreign address: " + errnoOf(() -> p.bind(h, SockAddr.of("10.0.1.10", 7071))));
                p.println("accept unlistened: " + errnoOf(() -> p.accept(h)));
                p.println("recv unconnected: " + errnoOf(() -> p.recv(h, new byte[1], 0, 1, 0)));
                p.println("send unconnected: " + errnoOf(() -> p.send(h, new byte[1])));
                p.println("shutdown unconnected: " + errnoOf(() -> p.shutdown(h, Sys.SHUT_WR)));
                p.println("SO_ACCEPTCONN " + p.getsockopt(c, SOL_SOCKET, Sys.SO_ACCEPTCONN)
                        + " SO_TYPE " + p.getsockopt(c, SOL_SOCKET, Sys.SO_TYPE));
                p.setsockopt(h, SOL_SOCKET, Sys.SO_SNDBUF, 50_000);
                p.setsockopt(h, Sys.IPPROTO_TCP, Sys.TCP_NODELAY, 1);
                p.println("SO_SNDBUF " + p.getsockopt(h, SOL_SOCKET, Sys.SO_SNDBUF) + " TCP_NODELAY "
                        + p.getsockopt(h, Sys.IPPROTO_TCP, Sys.TCP_NODELAY) + " SO_RCVBUF "
                        + p.getsockopt(h, SOL_SOCKET, Sys.SO_RCVBUF));
                return 0;
            });
            assertThat(r.output()).containsExactly(
                    "plain twice: EADDRINUSE",
                    "specific over wildcard: EADDRINUSE",
                    "bound again: EINVAL",
                    "reuseaddr both bound: ok",
                    "reuseaddr over a listener: EADDRINUSE",
                    "second listen: EADDRINUSE",
                    "reuseport listeners: ok",
                    "reuseport needs both: EADDRINUSE",
                    "foreign address: EADDRNOTAVAIL",
                    "accept unlistened: EINVAL",
                    "recv unconnected: ENOTCONN",
                    "send unconnected: EPIPE",
                    "shutdown unconnected: ENOTCONN",
                    "SO_ACCEPTCONN 1 SO_TYPE 1",
                    "SO_SNDBUF 100000 TCP_NODELAY 1 SO_RCVBUF " + TcpLayer.of(lab.lab.node("h2")).config().receiveBuffer());
        }
    }

    @Test
    void timeWaitHoldsThePortUnlessBothSocketsReuseTheAddress() {
        try (ProcLab lab = ProcLab.routed()) {
            ExecResult first = lab.run("h2", p -> {
                int ls = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(ls, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.bind(ls, SockAddr.any(7));
                p.listen(ls, 1);
                p.spawn("client", () -> {
                    int s = p.socket(AF_INET, SOCK_STREAM, 0);
                    p.connect(s, SockAddr.of("10.0.2.10", 7));
                    p.recv(s, new byte[1], 0, 1, 0); // waits for the server's FIN
                    p.close(s);
                });
                int c = p.accept(ls);
                p.close(c); // the server closes first: its side enters TIME-WAIT
                p.close(ls);
                p.sleep(10_000_000);
                return 0;
            });
            assertThat(first.exitCode()).as(first.text()).isZero();
            ExecResult second = lab.run("h2", p -> {
                int a = p.socket(AF_INET, SOCK_STREAM, 0);
                p.println("without SO_REUSEADDR: " + errnoOf(() -> p.bind(a, SockAddr.any(7))));
                int b = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(b, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
                p.println("with SO_REUSEADDR: " + errnoOf(() -> p.bind(b, SockAddr.any(7))));
                return 0;
            });
            assertThat(second.output()).containsExactly("without SO_REUSEADDR: EADDRINUSE", "with SO_REUSEADDR: ok");
        }
    }

    @Test
    void sendfileSendsANodeFileWithoutThePaddingThroughTheProgram() throws Exception {
        byte[] file = new byte[300_000];
        new Random(2).nextBytes(file);
        try (ProcLab lab = ProcLab.routed()) {
            NodeFiles.of(lab.lab.node("h2")).put("/srv/blob", file);
            lab.start("h2", p -> {
                int ls = p.socket(AF_INET, SOCK_STREAM, 0);
                p.bind(ls, SockAddr.any(7));
                p.listen(ls, 1);
                int c = p.accept(ls);
                int f = p.open("/srv/blob", Sys.O_RDONLY);
                long a = p.sendfile(c, f, 100_000, 200_000); // explicit offset: position unchanged
                long b = p.sendfile(c, f, -1, 100_000); // from the position (0), which advances
                long rest = p.sendfile(c, f, -1, 1_000_000);
                p.println("sent " + a + " " + b + " " + rest);
                p.close(c);
                return 0;
            });
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s, SERVER);
                int out = p.open("/tmp/blob", Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC);
                byte[] buf = new byte[16384];
                int n;
                while ((n = p.recv(s, buf, 0, buf.length, 0)) > 0) {
                    p.write(out, buf, 0, n);
                }
                return 0;
            });
            assertThat(r.exitCode()).as(r.text()).isZero();
            byte[] expected = new byte[500_000];
            System.arraycopy(file, 100_000, expected, 0, 200_000);
            System.arraycopy(file, 0, expected, 200_000, 300_000);
            assertThat(NodeFiles.of(lab.lab.node("h1")).get("/tmp/blob")).hasValue(expected);
            List<TraceEvent> sf = lab.lab.trace().events(e -> e.kind().equals("sendfile"));
            assertThat(sf).extracting(e -> e.detail().get("result")).containsExactly(200_000L, 100_000L, 200_000L);
        }
    }

    @Test
    void epollEdgeTriggeredNeedsDrainingLevelTriggeredDoesNot() {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = lab.start("h2", p -> {
                int ls = p.socket(AF_INET, SOCK_STREAM, 0);
                p.bind(ls, SockAddr.any(7));
                p.listen(ls, 4);
                int ep = p.epollCreate();
                p.epollCtl(ep, Sys.EPOLL_CTL_ADD, ls, Sys.EPOLLIN, ls);
                EpollEvent[] ev = new EpollEvent[4];
                p.println("listener ready " + p.epollWait(ep, ev, 4, -1) + " " + ev[0]);
                int c = p.accept4(ls, SOCK_NONBLOCK);
                p.epollCtl(ep, Sys.EPOLL_CTL_ADD, c, Sys.EPOLLIN | Sys.EPOLLET | Sys.EPOLLRDHUP, c);
                byte[] small = new byte[3];
                p.println("wait " + p.epollWait(ep, ev, 4, -1) + " " + ev[0]);
                p.println("read " + p.recv(c, small, 0, 3, 0));
                // 7 bytes are still unread, but ET reports only new arrivals
                p.println("wait again " + p.epollWait(ep, ev, 4, 50));
                p.epollCtl(ep, Sys.EPOLL_CTL_MOD, c, Sys.EPOLLIN | Sys.EPOLLRDHUP, c); // level-triggered now
                p.println("level " + p.epollWait(ep, ev, 4, 0) + " " + ev[0]);
                byte[] rest = new byte[100];
                p.println("read " + p.recv(c, rest, 0, 100, 0) + " then " + errnoOf(() -> p.recv(c, rest, 0, 100, 0)));
                p.println("peer closed " + p.epollWait(ep, ev, 4, -1) + " " + ev[0]);
                p.println("eof " + p.recv(c, rest, 0, 100, 0));
                return 0;
            });
            lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s, SERVER);
                p.send(s, bytes("0123456789"));
                p.sleep(200_000_000);
                p.close(s);
                return 0;
            });
            lab.advance(Duration.ofMillis(100));
            assertThat(server.output()).containsExactly(
                    "listener ready 1 EPOLLIN data=3",
                    "wait 1 EPOLLIN data=5",
                    "read 3",
                    "wait again 0",
                    "level 1 EPOLLIN data=5",
                    "read 7 then EAGAIN",
                    "peer closed 1 EPOLLIN|EPOLLRDHUP data=5",
                    "eof 0");
        }
    }

    @Test
    void ioUringConnectsSendsAndReceives() {
        try (ProcLab lab = ProcLab.routed()) {
            lab.start("h2", echoServer(1));
            ExecResult r = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                IoUring ring = p.ioUringSetup(4);
                ring.prepConnect(s, SERVER, 1);
                ring.submit();
                IoUring.Cqe c = ring.waitCqe();
                p.println("connect cqe " + c.userData() + " res " + c.res() + " at " + p.now() / 1000 + "us");
                byte[] msg = bytes("through the ring");
                byte[] in = new byte[64];
                ring.prepSend(s, msg, 0, msg.length, 0, 2);
                ring.prepRecv(s, in, 0, in.length, 0, 3);
                ring.submit();
                for (int i = 0; i < 2; i++) {
                    IoUring.Cqe d = ring.waitCqe();
                    p.println("cqe " + d.userData() + " res " + d.res());
                }
                p.println("got " + new String(in, 0, msg.length, StandardCharsets.UTF_8));
                int refused = p.socket(AF_INET, SOCK_STREAM, 0);
                ring.prepConnect(refused, SockAddr.of("10.0.2.10", 99), 4);
                ring.submit();
                p.println("refused cqe " + ring.waitCqe().errno());
                return 0;
            });
            assertThat(r.output()).containsExactly(
                    "connect cqe 1 res 0 at 3500us",
                    "cqe 2 res 16",
                    "cqe 3 res 16",
                    "got through the ring",
                    "refused cqe ECONNREFUSED");
        }
    }

    @Test
    void msgPeekShowsDataWithoutTakingItAndBlocksOnlyWhileThereIsNone() throws Exception {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = lab.start("h2", p -> {
                int c = acceptOne(p);
                byte[] buf = new byte[64];
                int n = p.recv(c, buf, 0, 5, Sys.MSG_PEEK); // blocks until the first bytes arrive
                p.println("peek " + new String(buf, 0, n, StandardCharsets.US_ASCII));
                n = p.recv(c, buf, 0, 3, Sys.MSG_PEEK);
                p.println("peek again " + new String(buf, 0, n, StandardCharsets.US_ASCII));
                n = p.recv(c, buf, 0, buf.length, Sys.MSG_WAITALL);
                p.println("read " + new String(buf, 0, n, StandardCharsets.US_ASCII));
                n = p.recv(c, buf, 0, buf.length, Sys.MSG_PEEK);
                p.println("peek at end " + n);
                p.close(c);
                return 0;
            });
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s, SERVER);
                p.sleep(20_000_000L); // the server peeks at an empty buffer first and waits
                byte[] msg = "hello, peek".getBytes(StandardCharsets.US_ASCII);
                p.send(s, msg, 0, msg.length, 0);
                p.shutdown(s, Sys.SHUT_WR);
                p.recv(s, new byte[1], 0, 1, 0);
                p.close(s);
                return 0;
            });
            assertThat(client.exitCode()).as(client.text() + " / server: " + server.output()).isZero();
            lab.advance(Duration.ofMillis(100));
            assertThat(server.exit()).isCompletedWithValue(0);
            assertThat(server.output()).containsExactly("peek hello", "peek again hel", "read hello, peek",
                    "peek at end 0");
        }
    }

    @Test
    void soLingerZeroClosesWithAResetInsteadOfAFin() throws Exception {
        try (ProcLab lab = ProcLab.routed()) {
            ProcLab.Run server = lab.start("h2", p -> {
                int c = acceptOne(p);
                byte[] buf = new byte[16];
                try {
                    int n = p.recv(c, buf, 0, buf.length, 0);
                    p.println("recv " + n);
                    n = p.recv(c, buf, 0, buf.length, 0);
                    p.println("recv " + n);
                } catch (SyscallException e) {
                    p.println("recv: " + e.errno());
                }
                return 0;
            });
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(s, SOL_SOCKET, Sys.SO_LINGER, 0);
                p.println("SO_LINGER " + p.getsockopt(s, SOL_SOCKET, Sys.SO_LINGER));
                p.connect(s, SERVER);
                p.send(s, new byte[] {1, 2, 3}, 0, 3, 0);
                p.sleep(20_000_000L);
                p.close(s);
                return 0;
            });
            assertThat(client.exitCode()).as(client.text()).isZero();
            assertThat(client.output()).containsExactly("SO_LINGER 0");
            lab.advance(Duration.ofMillis(100));
            assertThat(server.exit()).isCompletedWithValue(0);
            assertThat(server.output()).containsExactly("recv 3", "recv: ECONNRESET");
            assertThat(lab.lab.trace().events(e -> e.node().equals("h1") && e.kind().equals("linger_abort"))).hasSize(1);
            // No FIN from h1, and no TIME-WAIT on its side: the reset ended the connection.
            assertThat(lab.lab.run("h1", "ss -tan").output()).noneMatch(l -> l.contains("10.0.2.10:7"));
            assertThat(lab.lab.trace().frames()).noneMatch(f -> {
                dev.wirelab.netstack.wire.EthernetFrame eth = dev.wirelab.netstack.wire.EthernetFrame.parse(f.bytes());
                if (eth.etherType() != dev.wirelab.netstack.wire.EthernetFrame.ETHERTYPE_IPV4) {
                    return false;
                }
                var ip = dev.wirelab.netstack.wire.Ipv4Packet.parse(eth.payload(), 0, eth.payload().length);
                return ip.protocol() == 6 && ip.source().toString().equals("10.0.1.10")
                        && dev.wirelab.netstack.wire.TcpSegment.parseUnchecked(ip.payload(), 0, ip.payloadLength()).fin();
            });
        }
    }

    @Test
    void soLingerWithATimeMakesCloseWaitForTheAckOfItsFin() throws Exception {
        // lan1 and lan2 have 500 us each way: the FIN's ACK is back about 2 ms after close().
        try (ProcLab lab = ProcLab.routed()) {
            lab.start("h2", echoServer(2));
            ExecResult client = lab.run("h1", p -> {
                int s = p.socket(AF_INET, SOCK_STREAM, 0);
                p.setsockopt(s, SOL_SOCKET, Sys.SO_LINGER, 5);
                p.connect(s, SERVER);
                long t0 = p.now();
                p.close(s);
                p.println("close took " + ((p.now() - t0) >= 1_000_000L ? "at least 1 ms" : "under 1 ms"));
                int s2 = p.socket(AF_INET, SOCK_STREAM, 0);
                p.connect(s2, SERVER);
                long t1 = p.now();
                p.close(s2); // no linger: returns at once
                p.println("plain close took " + ((p.now() - t1) >= 1_000_000L ? "at least 1 ms" : "under 1 ms"));
                return 0;
            });
            assertThat(client.exitCode()).as(client.text()).isZero();
            assertThat(client.output()).containsExactly("close took at least 1 ms", "plain close took under 1 ms");
            assertThat(lab.lab.trace().events(e -> e.node().equals("h1") && e.layer().equals("syscall")
                    && "close".equals(e.kind()) && "fin_acked".equals(e.detail().get("linger")))).hasSize(1);
        }
    }

    /** Listens on port 7 and accepts one connection. */
    private static int acceptOne(Process p) throws SyscallException {
        int ls = p.socket(AF_INET, SOCK_STREAM, 0);
        p.bind(ls, SockAddr.any(7));
        p.listen(ls, 4);
        return p.accept(ls);
    }
}
