package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpError;
import dev.wirelab.netstack.tcp.TcpException;
import dev.wirelab.netstack.tcp.TcpInfo;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.tcp.TcpListener;
import dev.wirelab.netstack.tcp.TcpOptions;
import dev.wirelab.netstack.tcp.TcpState;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.List;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDNORM;
import static dev.wirelab.netstack.socket.Sys.EPOLLWRNORM;

/**
 * A SOCK_STREAM socket over the node's {@link TcpLayer}: bind() reserves an address, listen()
 * makes a {@link TcpListener}, connect() or accept() a {@link TcpConnection}; the engine's
 * callbacks become wake-ups of the socket's waiters (blocked calls, epoll items, io_uring polls).
 * Error reporting follows Linux (net/ipv4/af_inet.c, tcp.c): an asynchronous error (sk_err) is
 * reported once, by the next call or SO_ERROR; after it, writes fail with EPIPE and reads see
 * end of file.
 */
final class TcpSocketFile extends SocketFile {

    /** sock->state of Linux: what connect() has done with this socket. */
    private enum SockState { UNCONNECTED, CONNECTING, CONNECTED }

    private final TcpLayer tcp;
    private SockAddr bound;
    private TcpListener listener;
    private TcpConnection conn;
    private SockState sockState = SockState.UNCONNECTED;
    private boolean noDelay;
    private int rcvbuf;
    private int sndbuf;
    private boolean readShut;
    private boolean writeShut;
    /** The connection's terminal error was reported once already (then EPIPE / end of file). */
    private boolean errorReported;

    TcpSocketFile(Kernel kernel, TcpLayer tcp) {
        super(kernel, Sys.SOCK_STREAM, Sys.IPPROTO_TCP);
        this.tcp = tcp;
    }

    /** A socket for a connection accept() took off a listener; it inherits the listener's options. */
    private TcpSocketFile(TcpSocketFile parent, TcpConnection c) {
        this(parent.kernel, parent.tcp);
        reuseAddr = parent.reuseAddr;
        reusePort = parent.reusePort;
        keepAlive = parent.keepAlive;
        noDelay = parent.noDelay;
        rcvbuf = parent.rcvbuf;
        sndbuf = parent.sndbuf;
        sockState = SockState.CONNECTED;
        attach(c);
        applyOptions(); // options set on the listener after listen() reach its children too
    }

    @Override
    String protocolName() {
        return "tcp";
    }

    TcpListener listener() {
        return listener;
    }

    TcpConnection connection() {
        return conn;
    }

    private TcpOptions options() {
        return TcpOptions.DEFAULT.withNoDelay(noDelay).withSendBuffer(sndbuf).withReceiveBuffer(rcvbuf)
                .withKeepAlive(keepAlive).withReuseAddress(reuseAddr).withReusePort(reusePort);
    }

    private void attach(TcpConnection c) {
        conn = c;
        c.setListener(new TcpConnection.Listener() {
            @Override
            public void onEstablished() {
                wake(EPOLLOUT | EPOLLWRNORM);
            }

            @Override
            public void onReadable() {
                wake(EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
            }

            @Override
            public void onWritable() {
                wake(EPOLLOUT | EPOLLWRNORM);
            }

            @Override
            public void onClosed(TcpError error) {
                if (error != null && !errorReported) {
                    pendingError = errno(error); // sk_err
                }
                wake(-1);
            }
        });
    }

    static Errno errno(TcpError e) {
        try {
            return Errno.valueOf(e.errno());
        } catch (IllegalArgumentException unknown) {
            return Errno.EINVAL;
        }
    }

    @Override
    Errno takeError() {
        Errno e = super.takeError();
        if (e != null) {
            errorReported = true;
        }
        return e;
    }

    // ------------------------------------------------------------------ bind, listen, accept

    @Override
    long bind(Call c, SockAddr addr) {
        if (bound != null || listener != null || conn != null) {
            return Errno.EINVAL.negative(); // inet_bind: already bound
        }
        if (!addr.isWildcard() && !kernel.node.isLocalAddress(addr.address())) {
            return Errno.EADDRNOTAVAIL.negative();
        }
        int port = addr.port();
        if (port == 0) {
            port = pickPort(addr.address());
            if (port < 0) {
                return Errno.EADDRINUSE.negative();
            }
        } else if (conflict(addr.address(), port) != null) {
            c.trace("conflict", conflict(addr.address(), port));
            return Errno.EADDRINUSE.negative();
        }
        bound = new SockAddr(addr.address(), port);
        return 0;
    }

    private static boolean overlap(Ipv4Address a, Ipv4Address b) {
        return a.equals(b) || a.equals(Ipv4Address.ANY) || b.equals(Ipv4Address.ANY);
    }

    /**
     * Linux inet_csk_bind_conflict, with the engine's rules: a listener is in the way unless both
     * set SO_REUSEPORT; any other socket on the port unless both set SO_REUSEADDR (neither
     * listening) or both SO_REUSEPORT. Sockets that are only bound count too.
     */
    private String conflict(Ipv4Address a, int port) {
        for (SocketFile s : kernel.sockets) {
            if (s instanceof TcpSocketFile t && t != this && t.bound != null && t.listener == null && t.conn == null
                    && t.bound.port() == port && overlap(a, t.bound.address())
                    && !((reuseAddr && t.reuseAddr) || (reusePort && t.reusePort))) {
                return "bound socket " + t.bound;
            }
        }
        for (TcpListener l : tcp.listeners()) {
            if (l.localPort() == port && overlap(a, l.localAddress()) && !(reusePort && l.options().reusePort())) {
                return "listener " + l.localAddress() + ":" + port;
            }
        }
        for (TcpConnection k : tcp.connections()) {
            if (k.localPort() == port && k.state() != TcpState.CLOSED && overlap(a, k.localAddress())
                    && !((reuseAddr && k.options().reuseAddress()) || (reusePort && k.options().reusePort()))) {
                return k.state().ssName() + " connection to " + k.remoteAddress() + ":" + k.remotePort();
            }
        }
        return null;
    }

    /** bind() to port 0: the next free port of the ephemeral range (inet_csk_find_open_port). */
    private int pickPort(Ipv4Address a) {
        int low = tcp.config().ephemeralLow();
        int span = tcp.config().ephemeralHigh() - low + 1;
        for (int i = 0; i < span; i++) {
            int port = low + Math.floorMod(kernel.nextBindPort++, span);
            if (conflict(a, port) == null) {
                return port;
            }
        }
        return -1;
    }

    @Override
    long listen(Call c, int backlog) {
        if (conn != null) {
            return Errno.EINVAL.negative(); // inet_listen: only an unconnected socket can listen
        }
        if (listener != null) {
            listener.setBacklog(backlog);
            return 0;
        }
        SockAddr at = bound != null ? bound : SockAddr.ANY;
        try {
            listener = tcp.listen(at.address(), at.port(), backlog, options());
        } catch (TcpException e) {
            c.trace("error", e.getMessage());
            return errno(e.error()).negative();
        }
        bound = new SockAddr(at.address(), listener.localPort());
        listener.setListener(() -> wake(EPOLLIN | EPOLLRDNORM));
        c.trace("local", bound.toString(), "effective_backlog", listener.backlog());
        return 0;
    }

    @Override
    boolean isListening() {
        return listener != null;
    }

    @Override
    long accept(Call c, int flags) {
        if (listener == null) {
            return Errno.EINVAL.negative(); // accept(2): "Socket is not listening for connections"
        }
        if (!c.process.fdAvailable(1)) {
            return Errno.EMFILE.negative();
        }
        TcpConnection nc;
        try {
            nc = listener.accept();
        } catch (TcpException e) {
            return Errno.EINVAL.negative();
        }
        if (nc == null) {
            if (c.timedOut || c.mustNotBlock(this, 0)) {
                return Errno.EAGAIN.negative();
            }
            // inet_csk_wait_for_connect: exclusive waiters, one accept() woken per connection.
            c.waitFor(this, EPOLLIN, true);
            if (rcvTimeoutMs > 0) {
                c.timeout(rcvTimeoutMs * 1_000_000L);
            }
            return Call.BLOCK;
        }
        TcpSocketFile child = new TcpSocketFile(this, nc);
        if ((flags & Sys.SOCK_NONBLOCK) != 0) {
            child.flags |= Sys.O_NONBLOCK;
        }
        int fd = c.process.install(child);
        c.trace("peer", nc.remoteAddress() + ":" + nc.remotePort(), "new_fd", fd);
        // Data or a FIN may have arrived before accept(): readiness is already there.
        if (child.poll() != 0) {
            child.wake(child.poll());
        }
        return fd;
    }

    // ------------------------------------------------------------------ connect

    @Override
    long connect(Call c, SockAddr addr) {
        if (c.progress == 0) {
            c.progress = 1;
            // __inet_stream_connect
            switch (sockState) {
                case CONNECTED -> {
                    return Errno.EISCONN.negative();
                }
                case CONNECTING -> c.out = Errno.EALREADY;
                case UNCONNECTED -> {
                    if (listener != null) {
                        return Errno.EISCONN.negative(); // sk_state != TCP_CLOSE
                    }
                    if (addr.port() == 0) {
                        return Errno.ECONNREFUSED.negative();
                    }
                    Ipv4Address local = bound == null || bound.isWildcard() ? null : bound.address();
                    int localPort = bound == null ? 0 : bound.port();
                    TcpConnection nc;
                    try {
                        nc = tcp.connect(local, localPort, addr.address(), addr.port(), options());
                    } catch (TcpException e) {
                        c.trace("error", e.getMessage());
                        return errno(e.error()).negative();
                    }
                    pendingError = null;
                    errorReported = false;
                    readShut = false;
                    writeShut = false;
                    bound = null;
                    attach(nc);
                    sockState = SockState.CONNECTING;
                    c.out = Errno.EINPROGRESS;
                    c.trace("local", nc.localAddress() + ":" + nc.localPort());
                }
                default -> throw new IllegalStateException();
            }
        }
        TcpState st = conn.state();
        if (st == TcpState.SYN_SENT || st == TcpState.SYN_RECEIVED) {
            if (c.timedOut || c.mustNotBlock(this, 0)) {
                return ((Errno) c.out).negative(); // EINPROGRESS, or EALREADY on a second call
            }
            waitWithTimeout(c, EPOLLOUT, sndTimeoutMs);
            return Call.BLOCK;
        }
        if (st == TcpState.CLOSED) {
            // sock_error: the reason the connection failed (once), else ECONNABORTED; the socket
            // may then connect again.
            Errno e = takeError();
            sockState = SockState.UNCONNECTED;
            conn = null;
            return (e != null ? e : Errno.ECONNABORTED).negative();
        }
        sockState = SockState.CONNECTED;
        return 0;
    }

    // ------------------------------------------------------------------ data

    private boolean connecting() {
        TcpState st = conn.state();
        return st == TcpState.SYN_SENT || st == TcpState.SYN_RECEIVED;
    }

    @Override
    long sendto(Call c, byte[] b, int off, int len, int msgFlags, SockAddr to) {
        if (conn == null) {
            // tcp_sendmsg -> sk_stream_wait_connect: not connecting or connected -> EPIPE.
            Errno e = takeError();
            return (e != null ? e : Errno.EPIPE).negative();
        }
        if (c.progress == 0) {
            Errno e = takeError();
            if (e != null) {
                return e.negative();
            }
        }
        if (writeShut) {
            return partial(c, Errno.EPIPE);
        }
        if (connecting()) {
            if (c.timedOut || c.mustNotBlock(this, msgFlags)) {
                return Errno.EAGAIN.negative();
            }
            waitWithTimeout(c, EPOLLOUT, sndTimeoutMs);
            return Call.BLOCK;
        }
        int done = (int) c.progress;
        try {
            int n = conn.send(b, off + done, len - done);
            done += n;
        } catch (TcpException e) {
            c.progress = done;
            return partial(c, terminal(e, Errno.EPIPE));
        }
        c.progress = done;
        if (done == len || len == 0) {
            return len;
        }
        if (c.timedOut || c.mustNotBlock(this, msgFlags)) {
            return done > 0 ? done : Errno.EAGAIN.negative();
        }
        waitWithTimeout(c, EPOLLOUT, sndTimeoutMs);
        return Call.BLOCK;
    }

    /** The bytes already accepted if any (a partial write), else the error. */
    private static long partial(Call c, Errno e) {
        return c.progress > 0 ? c.progress : e.negative();
    }

    /**
     * The connection failed in the engine: the first report gives its errno, later ones
     * {@code after} (EPIPE for writes; end of file, 0, for reads).
     */
    private Errno terminal(TcpException e, Errno after) {
        if (conn != null && e.error() == conn.error()) {
            if (errorReported) {
                return after;
            }
            pendingError = null;
            errorReported = true;
        }
        return errno(e.error());
    }

    @Override
    long writeSome(byte[] b, int off, int len) {
        if (conn == null || writeShut) {
            return Errno.EPIPE.negative();
        }
        Errno e = takeError();
        if (e != null) {
            return e.negative();
        }
        try {
            int n = conn.send(b, off, len);
            return n == 0 ? Errno.EAGAIN.negative() : n;
        } catch (TcpException ex) {
            return terminal(ex, Errno.EPIPE).negative();
        }
    }

    @Override
    long recvfrom(Call c, byte[] b, int off, int len, int msgFlags) {
        if (conn == null) {
            return Errno.ENOTCONN.negative(); // tcp_recvmsg on LISTEN or a fresh socket
        }
        boolean peek = (msgFlags & Sys.MSG_PEEK) != 0;
        int done = (int) c.progress;
        if (len == 0) {
            return 0;
        }
        if (!connecting()) {
            int n;
            try {
                // MSG_PEEK copies what is there without consuming it; it waits only while nothing
                // is (MSG_WAITALL is not applied to a peek here).
                n = peek ? conn.peek(b, off, len) : conn.receive(b, off + done, len - done);
                if (peek && n > 0) {
                    c.trace("from", conn.remoteEndpoint(), "peek", true);
                    return n;
                }
            } catch (TcpException e) {
                Errno err = terminal(e, null);
                return done > 0 ? done : err == null ? 0 : err.negative();
            }
            if (n > 0) {
                done += n;
                c.progress = done;
                // MSG_WAITALL stops short at end of stream; the FIN may already be here, behind
                // the data just read, and no later event would wake a wait for it.
                if ((msgFlags & Sys.MSG_WAITALL) == 0 || done == len
                        || (conn.available() == 0 && (conn.endOfStream() || conn.state() == TcpState.CLOSED))) {
                    c.trace("from", conn.remoteEndpoint());
                    return done;
                }
            } else if (n < 0) {
                return done; // end of stream: 0, or what MSG_WAITALL gathered
            }
            if (done == 0) {
                Errno e = takeError();
                if (e != null) {
                    return e.negative();
                }
            }
            if (readShut) {
                return done;
            }
        }
        if (c.timedOut || c.mustNotBlock(this, msgFlags)) {
            return done > 0 ? done : Errno.EAGAIN.negative();
        }
        waitWithTimeout(c, EPOLLIN, rcvTimeoutMs);
        return Call.BLOCK;
    }

    @Override
    long shutdown(Call c, int how) {
        if (conn == null) {
            if (listener != null && how != Sys.SHUT_WR) {
                // inet_shutdown on a listener: it stops listening (pending connections are reset).
                listener.close();
                listener = null;
                wake(-1);
                return 0;
            }
            return Errno.ENOTCONN.negative();
        }
        if (conn.state() == TcpState.CLOSED && sockState != SockState.CONNECTED) {
            return Errno.ENOTCONN.negative();
        }
        if (how == Sys.SHUT_RD || how == Sys.SHUT_RDWR) {
            readShut = true;
        }
        if (how == Sys.SHUT_WR || how == Sys.SHUT_RDWR) {
            writeShut = true;
            conn.shutdownOutput();
        }
        wake(EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP);
        return 0;
    }

    // ------------------------------------------------------------------ readiness (tcp_poll)

    @Override
    int poll() {
        if (listener != null) {
            return listener.acceptQueueLength() > 0 ? EPOLLIN | EPOLLRDNORM : 0;
        }
        int m = pendingError != null ? EPOLLERR : 0;
        if (conn == null) {
            return m | EPOLLOUT | EPOLLWRNORM | EPOLLHUP; // a fresh socket is in CLOSE
        }
        TcpState st = conn.state();
        boolean closed = st == TcpState.CLOSED;
        boolean rcvShutdown = readShut || conn.endOfStream() || closed;
        boolean sndShutdown = writeShut || closed || st == TcpState.FIN_WAIT_1 || st == TcpState.FIN_WAIT_2
                || st == TcpState.CLOSING || st == TcpState.LAST_ACK || st == TcpState.TIME_WAIT;
        if ((rcvShutdown && sndShutdown) || closed) {
            m |= EPOLLHUP;
        }
        if (rcvShutdown) {
            m |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
        }
        if (st != TcpState.SYN_SENT && st != TcpState.SYN_RECEIVED) {
            if (conn.available() > 0) {
                m |= EPOLLIN | EPOLLRDNORM;
            }
            // sk_stream_is_writeable: free space at least half of what is queued.
            if (sndShutdown || (conn.sendBufferFree() > 0 && conn.sendBufferFree() >= conn.sendQueueLength() / 2)) {
                m |= EPOLLOUT | EPOLLWRNORM;
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ options and names

    @Override
    long protocolSetsockopt(int level, int option, int value) {
        if (level == Sys.IPPROTO_TCP && option == Sys.TCP_NODELAY) {
            noDelay = value != 0;
            applyOptions();
            return 0;
        }
        return super.protocolSetsockopt(level, option, value);
    }

    @Override
    long protocolGetsockopt(int level, int option) {
        if (level == Sys.IPPROTO_TCP && option == Sys.TCP_NODELAY) {
            return noDelay ? 1 : 0;
        }
        return super.protocolGetsockopt(level, option);
    }

    private void applyOptions() {
        if (conn != null && conn.state() != TcpState.CLOSED) {
            conn.setOptions(options());
        }
    }

    @Override
    void keepAliveChanged() {
        applyOptions();
    }

    @Override
    int receiveBuffer() {
        return rcvbuf > 0 ? rcvbuf : tcp.config().receiveBuffer();
    }

    @Override
    void setReceiveBuffer(int bytes) {
        rcvbuf = bytes;
        applyOptions();
    }

    @Override
    int sendBuffer() {
        return sndbuf > 0 ? sndbuf : tcp.config().sendBuffer();
    }

    @Override
    void setSendBuffer(int bytes) {
        sndbuf = bytes;
        applyOptions();
    }

    @Override
    SockAddr localAddress() {
        if (conn != null) {
            return new SockAddr(conn.localAddress(), conn.localPort());
        }
        return bound != null ? bound : SockAddr.ANY;
    }

    @Override
    SockAddr peerAddress() {
        if (conn == null || conn.state() == TcpState.SYN_SENT || conn.state() == TcpState.CLOSED) {
            return null;
        }
        return new SockAddr(conn.remoteAddress(), conn.remotePort());
    }

    @Override
    SocketInfo info() {
        if (listener != null) {
            return listenerInfo(listener);
        }
        if (conn != null) {
            return connectionInfo(conn);
        }
        return new SocketInfo("tcp", "CLOSE", 0, 0, localAddress(), null, List.of(), "");
    }

    /** ss: a listener's Recv-Q is its accept queue, Send-Q its backlog (inet_diag). */
    static SocketInfo listenerInfo(TcpListener l) {
        return new SocketInfo("tcp", TcpState.LISTEN.ssName(), l.acceptQueueLength(), l.backlog(),
                new SockAddr(l.localAddress(), l.localPort()), null, List.of(),
                "syn_queue:" + l.synQueueLength() + " accept_queue:" + l.acceptQueueLength() + " backlog:" + l.backlog());
    }

    static SocketInfo connectionInfo(TcpConnection k) {
        TcpInfo i = k.info();
        String detail = String.format(java.util.Locale.ROOT,
                "%smss:%d rto:%.0f rtt:%.3f/%.3f cwnd:%d ssthresh:%s bytes_sent:%d bytes_acked:%d bytes_received:%d"
                        + " retrans:%d snd_wnd:%d rcv_wnd:%d",
                i.timestamps() ? "ts " : "", i.mss(), i.rtoNanos() / 1e6, i.srttNanos() / 1e6, i.rttvarNanos() / 1e6,
                i.cwnd(), i.ssthresh() >= Integer.MAX_VALUE ? "-" : String.valueOf(i.ssthresh()), i.bytesSent(),
                i.bytesAcked(), i.bytesReceived(), i.retransmits(), i.sendWindow(), i.receiveWindow());
        return new SocketInfo("tcp", k.state().ssName(), i.receiveQueue(), i.sendQueue(),
                new SockAddr(k.localAddress(), k.localPort()), new SockAddr(k.remoteAddress(), k.remotePort()),
                List.of(), detail);
    }

    @Override
    void release() {
        super.release();
        if (listener != null) {
            listener.setListener(null);
            listener.close();
        }
        if (conn != null) {
            if (lingerSeconds == 0) {
                // SO_LINGER with l_linger 0: tcp_close() disconnects with a reset (RFC 9293 section
                // 3.10.5 ABORT): queued data is dropped, no FIN, no TIME-WAIT.
                kernel.node.event("tcp", "linger_abort", "local", conn.localEndpoint(), "remote", conn.remoteEndpoint(),
                        "state", conn.state().name(), "unsent", conn.sendQueueLength());
                conn.setListener(null);
                conn.abort();
            } else if (lingerSeconds > 0) {
                conn.close(); // the listener stays: close() may wait for the FIN's ACK (lingerWait)
            } else {
                conn.setListener(null);
                conn.close();
            }
        }
    }

    /** A blocking close() with SO_LINGER > 0 waits while our FIN is unacknowledged (sk_stream_wait_close). */
    boolean lingers() {
        return lingerSeconds > 0 && conn != null && !nonblocking();
    }

    /**
     * The rest of close() for a lingering socket: done once the FIN is acknowledged (FIN-WAIT-2,
     * TIME-WAIT, CLOSED) or the linger time is up (close() still returns 0 then, and the connection
     * goes on closing, as on Linux). Looks again every 10 ms of lab time.
     */
    long lingerWait(Call c) {
        TcpState s = conn.state();
        boolean finAcked = s == TcpState.FIN_WAIT_2 || s == TcpState.TIME_WAIT || s == TcpState.CLOSED;
        if (finAcked || c.timedOut) {
            conn.setListener(null);
            c.trace("linger", finAcked ? "fin_acked" : "timeout", "state", s.name());
            return 0;
        }
        c.timeout(lingerSeconds * 1_000_000_000L);
        kernel.loop.schedule(10_000_000L, () -> kernel.attempt(c));
        return Call.BLOCK;
    }
}
