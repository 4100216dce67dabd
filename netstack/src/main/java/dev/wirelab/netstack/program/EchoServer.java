package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.EpollEvent;
import dev.wirelab.netstack.socket.Errno;
import dev.wirelab.netstack.socket.IoUring;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLET;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_ADD;
import static dev.wirelab.netstack.socket.Sys.EPOLL_CTL_MOD;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;

/**
 * {@code echod} (RFC 862 echo, port 7) and {@code discardd} (RFC 863 discard, port 9) written in
 * each classic server pattern, to compare them in a lab:
 * <ul>
 *   <li>{@code --mode single}: one thread, blocking accept() then serve (an iterative server);</li>
 *   <li>{@code --mode threads}: an acceptor hands connections to a pool of {@code --workers} threads
 *       through a pipe;</li>
 *   <li>{@code --mode reuseport}: {@code --workers} threads, each with its own SO_REUSEPORT listener
 *       (the kernel spreads connections by hash);</li>
 *   <li>{@code --mode epoll}: an epoll event loop on non-blocking sockets (with several workers, one
 *       loop and one SO_REUSEPORT listener each); edge-triggered by default: each readiness is
 *       reported once, so the loop reads and accepts until EAGAIN; {@code --trigger level} makes it
 *       level-triggered: one read or accept per report, and epoll_wait reports the descriptor again
 *       while bytes remain (epoll(7));</li>
 *   <li>{@code --mode uring}: a completion-queue loop (io_uring accept/recv/send/close).</li>
 * </ul>
 * Options: {@code -p port}, {@code -b backlog}, {@code -n connections} (exit after serving that
 * many), {@code -v} (a line per connection), {@code -u} (UDP, single mode), {@code --read-size N}
 * (bytes asked of each recv, default 16384: small reads make the level/edge difference visible).
 */
final class EchoServer extends SyscallProgram {

    private final boolean discard;
    private String mode = "single";
    private int workers = 1;
    private int port;
    private int backlog = 128;
    private int maxConnections;
    private boolean verbose;
    private boolean edge = true;
    private int readSize = 16384;
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private int[] perWorker;

    EchoServer(boolean discard) {
        this.discard = discard;
        this.port = discard ? 9 : 7;
    }

    private String name() {
        return discard ? "discardd" : "echod";
    }

    @Override
    protected int main(Process p) throws Exception {
        boolean udp;
        try {
            NetArgs a = NetArgs.parse(name(), p.args(), "p:b:n:vu", Set.of("mode", "workers", "trigger", "read-size"), Set.of());
            GetOpt o = a.shorts;
            if (o.has('p')) {
                port = NetArgs.port(name(), o.get('p'));
            }
            if (o.has('b')) {
                backlog = GetOpt.intIn(o.get('b'), 0, 65535, name() + ": invalid backlog: " + o.get('b'));
            }
            if (o.has('n')) {
                maxConnections = GetOpt.intIn(o.get('n'), 1, Integer.MAX_VALUE, name() + ": invalid count: " + o.get('n'));
            }
            verbose = o.has('v');
            udp = o.has('u');
            if (a.has("mode")) {
                mode = a.get("mode");
                if (!ServerPatterns.MODES.contains(mode)) {
                    throw new GetOpt.UsageException(name() + ": unknown mode '" + mode
                            + "' (single, threads, reuseport, epoll, uring)");
                }
            }
            if (a.has("trigger")) {
                if (!Set.of("edge", "level").contains(a.get("trigger"))) {
                    throw new GetOpt.UsageException(name() + ": unknown trigger '" + a.get("trigger") + "' (edge, level)");
                }
                if (!mode.equals("epoll")) {
                    throw new GetOpt.UsageException(name() + ": --trigger works in epoll mode only");
                }
                edge = a.get("trigger").equals("edge");
            }
            if (a.has("read-size")) {
                readSize = GetOpt.intIn(a.get("read-size"), 1, 1 << 20, name() + ": invalid read size: " + a.get("read-size"));
            }
            if (a.has("workers")) {
                workers = GetOpt.intIn(a.get("workers"), 1, 256, name() + ": invalid worker count: " + a.get("workers"));
            } else if (mode.equals("threads") || mode.equals("reuseport")) {
                workers = 4;
            }
            if (udp && !mode.equals("single")) {
                throw new GetOpt.UsageException(name() + ": -u works in single mode only");
            }
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 2;
        }
        perWorker = new int[workers];
        if (udp) {
            return udp(p);
        }
        p.println(name() + ": listening on 0.0.0.0:" + port + " (" + mode
                + (mode.equals("single") ? "" : ", " + workers + " worker" + (workers == 1 ? "" : "s"))
                + (mode.equals("epoll") ? ", " + (edge ? "edge" : "level") + "-triggered" : "") + ")");
        switch (mode) {
            case "single" -> single(p, listener(p, false, false), 0);
            case "threads" -> threads(p);
            case "reuseport" -> perWorker(p, w -> single(p, listener(p, true, false), w));
            case "epoll" -> perWorker(p, w -> epoll(p, listener(p, workers > 1, true), w));
            default -> perWorker(p, w -> uring(p, listener(p, workers > 1, false), w));
        }
        return 0;
    }

    private void perWorker(Process p, ServerPatterns.Worker body) throws Exception {
        ServerPatterns.perWorker(p, mode, workers, body);
    }

    private int listener(Process p, boolean reusePort, boolean nonblocking) throws SyscallException {
        return ServerPatterns.listener(p, port, backlog, reusePort, nonblocking);
    }

    /** One connection finished: counts it, and ends the process after -n connections. */
    private void finished(Process p, int worker, SockAddr peer, long n) throws SyscallException {
        perWorker[worker]++;
        bytes.addAndGet(n);
        if (verbose) {
            p.println(name() + ": worker " + worker + ": " + peer + " " + n + " bytes");
        }
        if (served.incrementAndGet() == maxConnections) {
            StringBuilder b = new StringBuilder(name() + ": served " + served.get() + " connections, " + bytes.get()
                    + " bytes");
            if (workers > 1) {
                b.append("; per worker");
                for (int c : perWorker) {
                    b.append(' ').append(c);
                }
            }
            p.println(b.toString());
            p.exit(0);
        }
    }

    /** Serves one connection with blocking calls until the client closes. */
    private long serve(Process p, int c) throws SyscallException {
        byte[] buf = new byte[readSize];
        long total = 0;
        try {
            int n;
            while ((n = p.recv(c, buf, 0, buf.length, 0)) > 0) {
                total += n;
                if (!discard) {
                    p.send(c, buf, 0, n, 0);
                }
            }
        } catch (SyscallException e) {
            if (e.errno() != Errno.ECONNRESET && e.errno() != Errno.EPIPE) {
                throw e;
            }
        }
        return total;
    }

    private void single(Process p, int ls, int worker) throws Exception {
        while (true) {
            int c = p.accept(ls);
            SockAddr peer = p.getpeername(c);
            long n = serve(p, c);
            p.close(c);
            finished(p, worker, peer, n);
        }
    }

    /** An acceptor thread and a pool fed through a pipe (4-byte descriptor numbers, atomic writes). */
    private void threads(Process p) throws Exception {
        int ls = listener(p, false, false);
        int[] pipe = p.pipe();
        for (int w = 0; w < workers; w++) {
            int index = w;
            p.spawn("pool-" + w, () -> {
                byte[] b = new byte[4];
                while (p.read(pipe[0], b, 0, 4) == 4) {
                    int c = ByteBuffer.wrap(b).getInt();
                    SockAddr peer = p.getpeername(c);
                    long n = serve(p, c);
                    p.close(c);
                    finished(p, index, peer, n);
                }
            });
        }
        while (true) {
            int c = p.accept(ls);
            p.write(pipe[1], ByteBuffer.allocate(4).putInt(c).array(), 0, 4);
        }
    }

    /** Per-connection state of the event-driven patterns. */
    private static final class Conn {
        final int fd;
        final SockAddr peer;
        final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        int pendingOffset;
        long total;
        boolean eof;
        final byte[] buf;

        Conn(int fd, SockAddr peer, int readSize) {
            this.fd = fd;
            this.peer = peer;
            this.buf = new byte[readSize];
        }
    }

    private void epoll(Process p, int ls, int worker) throws Exception {
        int ep = p.epollCreate();
        int et = edge ? EPOLLET : 0;
        p.epollCtl(ep, EPOLL_CTL_ADD, ls, EPOLLIN | et, ls);
        Map<Integer, Conn> conns = new HashMap<>();
        EpollEvent[] events = new EpollEvent[64];
        byte[] buf = new byte[readSize];
        while (true) {
            int n = p.epollWait(ep, events, events.length, -1);
            for (int i = 0; i < n; i++) {
                int fd = (int) events[i].data();
                if (fd == ls) {
                    // edge-triggered: accept until EAGAIN; level-triggered: one, epoll reports the rest again
                    for (boolean more = true; more; more = edge) {
                        int c;
                        try {
                            c = p.accept4(ls, SOCK_NONBLOCK);
                        } catch (SyscallException e) {
                            if (e.errno() == Errno.EAGAIN) {
                                break;
                            }
                            throw e;
                        }
                        conns.put(c, new Conn(c, p.getpeername(c), readSize));
                        p.epollCtl(ep, EPOLL_CTL_ADD, c, EPOLLIN | Sys.EPOLLRDHUP | et, c);
                    }
                    continue;
                }
                Conn c = conns.get(fd);
                if (c == null) {
                    continue;
                }
                boolean broken = (events[i].events() & EPOLLERR) != 0;
                if (!broken && (events[i].events() & (EPOLLIN | EPOLLHUP)) != 0) {
                    broken = !drain(p, c, buf);
                }
                if (!broken && !c.pending.isEmpty()) {
                    broken = !flush(p, c);
                }
                if (broken || (c.eof && c.pending.isEmpty())) {
                    conns.remove(fd);
                    p.close(fd); // also leaves the epoll set
                    finished(p, worker, c.peer, c.total);
                } else {
                    int want = EPOLLIN | Sys.EPOLLRDHUP | et | (c.pending.isEmpty() ? 0 : EPOLLOUT);
                    p.epollCtl(ep, EPOLL_CTL_MOD, fd, want, fd);
                }
            }
        }
    }

    /**
     * Edge-triggered, reads until EAGAIN: the edge is not reported again for bytes already there
     * (epoll(7), "Level-triggered and edge-triggered"). Level-triggered, reads once: epoll_wait
     * reports the socket again while bytes remain. False when the connection failed.
     */
    private boolean drain(Process p, Conn c, byte[] buf) throws SyscallException {
        for (boolean more = true; more && !c.eof; more = edge) {
            int n;
            try {
                n = p.recv(c.fd, buf, 0, buf.length, 0);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return true;
                }
                return false;
            }
            if (n == 0) {
                c.eof = true;
                break;
            }
            c.total += n;
            if (!discard) {
                c.pending.add(java.util.Arrays.copyOf(buf, n));
            }
        }
        return true;
    }

    /** Writes pending echo data until EAGAIN; false when the connection failed. */
    private boolean flush(Process p, Conn c) throws SyscallException {
        while (!c.pending.isEmpty()) {
            byte[] head = c.pending.peek();
            int n;
            try {
                n = p.send(c.fd, head, c.pendingOffset, head.length - c.pendingOffset, 0);
            } catch (SyscallException e) {
                return e.errno() == Errno.EAGAIN;
            }
            c.pendingOffset += n;
            if (c.pendingOffset == head.length) {
                c.pending.poll();
                c.pendingOffset = 0;
            }
        }
        return true;
    }

    private static final long ACCEPT = 0;
    private static final int RECV = 1;
    private static final int SEND = 2;
    private static final int CLOSE = 3;

    private void uring(Process p, int ls, int worker) throws Exception {
        IoUring ring = p.ioUringSetup(256);
        Map<Integer, Conn> conns = new HashMap<>();
        ring.prepAccept(ls, 0, ACCEPT);
        ring.submit();
        while (true) {
            IoUring.Cqe cqe = ring.waitCqe();
            long ud = cqe.userData();
            if (ud == ACCEPT) {
                if (cqe.res() >= 0) {
                    int fd = cqe.res();
                    Conn c = new Conn(fd, p.getpeername(fd), readSize);
                    conns.put(fd, c);
                    ring.prepRecv(fd, c.buf, 0, c.buf.length, 0, tag(fd, RECV));
                }
                ring.prepAccept(ls, 0, ACCEPT);
            } else {
                int fd = (int) (ud >>> 8);
                int op = (int) (ud & 0xFF);
                Conn c = conns.get(fd);
                if (c == null) {
                    continue;
                }
                switch (op) {
                    case RECV -> {
                        if (cqe.res() <= 0) {
                            ring.prepClose(fd, tag(fd, CLOSE));
                        } else {
                            c.total += cqe.res();
                            if (discard) {
                                ring.prepRecv(fd, c.buf, 0, c.buf.length, 0, tag(fd, RECV));
                            } else {
                                c.pendingOffset = 0;
                                c.pending.clear();
                                c.pending.add(java.util.Arrays.copyOf(c.buf, cqe.res()));
                                ring.prepSend(fd, c.pending.peek(), 0, cqe.res(), 0, tag(fd, SEND));
                            }
                        }
                    }
                    case SEND -> {
                        byte[] out = c.pending.peek();
                        if (cqe.res() < 0) {
                            ring.prepClose(fd, tag(fd, CLOSE));
                        } else if (c.pendingOffset + cqe.res() < out.length) {
                            c.pendingOffset += cqe.res(); // a short send: the rest goes next
                            ring.prepSend(fd, out, c.pendingOffset, out.length - c.pendingOffset, 0, tag(fd, SEND));
                        } else {
                            ring.prepRecv(fd, c.buf, 0, c.buf.length, 0, tag(fd, RECV));
                        }
                    }
                    default -> {
                        conns.remove(fd);
                        finished(p, worker, c.peer, c.total);
                    }
                }
            }
            ring.submit();
        }
    }

    private static long tag(int fd, int op) {
        return ((long) fd << 8) | op;
    }

    /** RFC 862 over UDP: each datagram goes back to its sender. */
    private int udp(Process p) throws SyscallException {
        int s = p.socket(AF_INET, Sys.SOCK_DGRAM, 0);
        p.bind(s, SockAddr.any(port));
        p.println(name() + ": listening on 0.0.0.0:" + port + " (udp)");
        byte[] buf = new byte[65536];
        while (true) {
            Process.Received r = p.recvfrom(s, buf, 0, buf.length, 0);
            if (!discard) {
                p.sendto(s, buf, 0, r.length(), 0, r.from());
            }
            finished(p, 0, r.from(), r.length());
        }
    }
}
