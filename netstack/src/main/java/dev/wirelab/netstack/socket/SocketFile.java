package dev.wirelab.netstack.socket;

import static dev.wirelab.netstack.socket.Sys.IPPROTO_IP;
import static dev.wirelab.netstack.socket.Sys.IPPROTO_TCP;
import static dev.wirelab.netstack.socket.Sys.SOL_SOCKET;

/**
 * A socket: the operations of the socket system calls, with Linux's answers where a protocol
 * does not support one. Subclasses are the protocols. Runs on the loop.
 */
abstract class SocketFile extends KFile {

    /** SOCK_STREAM, SOCK_DGRAM or SOCK_RAW. */
    final int socketType;
    final int protocol;
    boolean reuseAddr;
    boolean reusePort;
    boolean keepAlive;
    boolean broadcast;
    int ttl = 64;
    /** SO_LINGER: -1 off (the default), else l_linger in seconds (see Sys.SO_LINGER). */
    int lingerSeconds = -1;
    /** SO_RCVTIMEO / SO_SNDTIMEO in milliseconds, 0 = wait forever. */
    int rcvTimeoutMs;
    int sndTimeoutMs;
    /** sk_err: an asynchronous error reported once (SO_ERROR or the next call). */
    Errno pendingError;

    SocketFile(Kernel kernel, int socketType, int protocol) {
        super(kernel);
        this.socketType = socketType;
        this.protocol = protocol;
        flags = Sys.O_RDWR;
        kernel.sockets.add(this);
    }

    @Override
    String type() {
        return "socket";
    }

    /** "tcp", "udp", "raw". */
    abstract String protocolName();

    abstract long bind(Call c, SockAddr addr);

    long listen(Call c, int backlog) {
        return Errno.EOPNOTSUPP.negative();
    }

    long accept(Call c, int flags) {
        return Errno.EOPNOTSUPP.negative();
    }

    abstract long connect(Call c, SockAddr addr);

    /** send (to == null) and sendto. */
    abstract long sendto(Call c, byte[] b, int off, int len, int msgFlags, SockAddr to);

    /** recv and recvfrom; the sender goes to {@code c.out} when known. */
    abstract long recvfrom(Call c, byte[] b, int off, int len, int msgFlags);

    abstract long shutdown(Call c, int how);

    abstract SockAddr localAddress();

    /** The peer, or null when not connected (getpeername fails with ENOTCONN). */
    abstract SockAddr peerAddress();

    /** A snapshot for ss / netstat. */
    abstract SocketInfo info();

    @Override
    long read(Call c, byte[] b, int off, int len) {
        return recvfrom(c, b, off, len, 0);
    }

    @Override
    long write(Call c, byte[] b, int off, int len) {
        return sendto(c, b, off, len, 0, null);
    }

    /** Takes the pending error (SO_ERROR and most calls report it once and clear it). */
    Errno takeError() {
        Errno e = pendingError;
        pendingError = null;
        return e;
    }

    /** setsockopt(2): SOL_SOCKET options here, protocol options in subclasses. */
    long setsockopt(int level, int option, int value) {
        if (level == SOL_SOCKET) {
            switch (option) {
                case Sys.SO_REUSEADDR -> reuseAddr = value != 0;
                case Sys.SO_REUSEPORT -> reusePort = value != 0;
                case Sys.SO_KEEPALIVE -> {
                    keepAlive = value != 0;
                    keepAliveChanged();
                }
                case Sys.SO_BROADCAST -> broadcast = value != 0;
                // net/core/sock.c: the value is clamped to rmem_max/wmem_max, then doubled for
                // bookkeeping overhead; getsockopt() returns the doubled value.
                case Sys.SO_RCVBUF -> setReceiveBuffer(Math.max(2304, Math.min(Math.max(value, 0), Sys.RMEM_MAX) * 2));
                case Sys.SO_SNDBUF -> setSendBuffer(Math.max(4608, Math.min(Math.max(value, 0), Sys.WMEM_MAX) * 2));
                case Sys.SO_RCVTIMEO -> rcvTimeoutMs = Math.max(0, value);
                case Sys.SO_SNDTIMEO -> sndTimeoutMs = Math.max(0, value);
                case Sys.SO_LINGER -> {
                    if (value < -1) {
                        return Errno.EINVAL.negative();
                    }
                    lingerSeconds = value;
                }
                default -> {
                    return Errno.ENOPROTOOPT.negative();
                }
            }
            return 0;
        }
        if (level == IPPROTO_IP && option == Sys.IP_TTL) {
            if (value < -1 || value == 0 || value > 255) {
                return Errno.EINVAL.negative();
            }
            ttl = value == -1 ? 64 : value;
            ttlChanged();
            return 0;
        }
        return protocolSetsockopt(level, option, value);
    }

    /** getsockopt(2). */
    long getsockopt(int level, int option) {
        if (level == SOL_SOCKET) {
            return switch (option) {
                case Sys.SO_REUSEADDR -> reuseAddr ? 1 : 0;
                case Sys.SO_REUSEPORT -> reusePort ? 1 : 0;
                case Sys.SO_KEEPALIVE -> keepAlive ? 1 : 0;
                case Sys.SO_BROADCAST -> broadcast ? 1 : 0;
                case Sys.SO_TYPE -> socketType;
                case Sys.SO_LINGER -> lingerSeconds;
                case Sys.SO_ERROR -> {
                    Errno e = takeError();
                    yield e == null ? 0 : e.number();
                }
                case Sys.SO_RCVBUF -> receiveBuffer();
                case Sys.SO_SNDBUF -> sendBuffer();
                case Sys.SO_RCVTIMEO -> rcvTimeoutMs;
                case Sys.SO_SNDTIMEO -> sndTimeoutMs;
                case Sys.SO_ACCEPTCONN -> isListening() ? 1 : 0;
                default -> Errno.ENOPROTOOPT.negative();
            };
        }
        if (level == IPPROTO_IP && option == Sys.IP_TTL) {
            return ttl;
        }
        return protocolGetsockopt(level, option);
    }

    long protocolSetsockopt(int level, int option, int value) {
        return (level == IPPROTO_TCP ? Errno.EOPNOTSUPP : Errno.ENOPROTOOPT).negative();
    }

    long protocolGetsockopt(int level, int option) {
        return (level == IPPROTO_TCP ? Errno.EOPNOTSUPP : Errno.ENOPROTOOPT).negative();
    }

    abstract int receiveBuffer();

    abstract void setReceiveBuffer(int bytes);

    abstract int sendBuffer();

    abstract void setSendBuffer(int bytes);

    void keepAliveChanged() {
    }

    void ttlChanged() {
    }

    boolean isListening() {
        return false;
    }

    /** Wait for {@code mask} with the socket's receive/send timeout (EAGAIN when it expires). */
    void waitWithTimeout(Call c, int mask, int timeoutMs) {
        c.waitFor(this, mask);
        if (timeoutMs > 0) {
            c.timeout(timeoutMs * 1_000_000L);
        }
    }

    @Override
    void release() {
        kernel.sockets.remove(this);
    }
}
