package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.udp.UdpError;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDNORM;
import static dev.wirelab.netstack.socket.Sys.EPOLLWRNORM;

/** A SOCK_DGRAM socket over the node's UDP ({@link UdpSocket}), with a receive queue bounded by SO_RCVBUF. */
final class UdpSocketFile extends SocketFile {

    private UdpSocket socket;
    private final ArrayDeque<UdpMessage> queue = new ArrayDeque<>();
    private long queuedBytes;
    private int rcvbuf = Sys.RMEM_DEFAULT;
    private int sndbuf = Sys.RMEM_DEFAULT;
    private SockAddr peer;
    private boolean readShut;
    private boolean writeShut;

    UdpSocketFile(Kernel kernel) {
        super(kernel, Sys.SOCK_DGRAM, Sys.IPPROTO_UDP);
    }

    @Override
    String protocolName() {
        return "udp";
    }

    private UdpSocket socket() {
        if (socket == null) {
            socket = kernel.node.udp().open();
            socket.onReceive(this::received);
            socket.onError(this::icmpError);
            socket.setTtl(ttl);
            socket.setBroadcast(broadcast);
        }
        return socket;
    }

    @Override
    long bind(Call c, SockAddr addr) {
        if (socket != null && socket.isBound()) {
            return Errno.EINVAL.negative(); // already bound
        }
        return doBind(addr);
    }

    private long doBind(SockAddr addr) {
        try {
            socket().setReuse(reuseAddr, reusePort).bind(addr.address(), addr.port());
            return 0;
        } catch (IllegalStateException e) {
            return Errno.EADDRINUSE.negative();
        } catch (IllegalArgumentException e) {
            return (e.getMessage() != null && e.getMessage().startsWith("Cannot assign") ? Errno.EADDRNOTAVAIL
                    : Errno.EINVAL).negative();
        }
    }

    private long autobind() {
        return socket != null && socket.isBound() ? 0 : doBind(SockAddr.ANY);
    }

    @Override
    long connect(Call c, SockAddr addr) {
        if (addr.port() == 0) {
            return Errno.ECONNREFUSED.negative();
        }
        if (kernel.node.ip().sourceFor(addr.address(), null).isEmpty() && !kernel.node.isLocalAddress(addr.address())) {
            return Errno.ENETUNREACH.negative();
        }
        long r = autobind();
        if (r < 0) {
            return r;
        }
        // Linux udp connect: only datagrams from the peer are delivered from now on.
        peer = addr;
        queue.removeIf(m -> !m.source().equals(addr.address()) || m.sourcePort() != addr.port());
        queuedBytes = queue.stream().mapToLong(m -> m.payload().length).sum();
        return 0;
    }

    @Override
    long sendto(Call c, byte[] b, int off, int len, int msgFlags, SockAddr to) {
        Errno err = takeError();
        if (err != null) {
            return err.negative();
        }
        if (writeShut) {
            return Errno.EPIPE.negative();
        }
        SockAddr dst = to != null ? to : peer;
        if (dst == null) {
            return Errno.EDESTADDRREQ.negative();
        }
        if (peer != null && to != null && !to.equals(peer)) {
            return Errno.EISCONN.negative();
        }
        if (dst.port() == 0) {
            return Errno.EINVAL.negative();
        }
        long r = autobind();
        if (r < 0) {
            return r;
        }
        socket.setBroadcast(broadcast);
        SendResult s = socket.sendTo(dst.address(), dst.port(), Arrays.copyOfRange(b, off, off + len));
        if (!s.ok()) {
            return errnoOf(s.status()).negative();
        }
        return len;
    }

    static Errno errnoOf(SendResult.Status status) {
        return switch (status) {
            case OK -> throw new IllegalArgumentException("not an error");
            case NETWORK_UNREACHABLE -> Errno.ENETUNREACH;
            case MESSAGE_TOO_LONG -> Errno.EMSGSIZE;
            case PERMISSION_DENIED -> Errno.EACCES;
            case ADDRESS_NOT_AVAILABLE -> Errno.EADDRNOTAVAIL;
            case INVALID_ARGUMENT -> Errno.EINVAL;
            case NOT_RUNNING -> Errno.ENETDOWN;
        };
    }

    @Override
    long recvfrom(Call c, byte[] b, int off, int len, int msgFlags) {
        Errno err = takeError();
        if (err != null) {
            return err.negative();
        }
        UdpMessage m = queue.peek();
        if (m == null) {
            if (readShut) {
                return 0;
            }
            if (c.timedOut || c.mustNotBlock(this, msgFlags)) {
                return Errno.EAGAIN.negative();
            }
            waitWithTimeout(c, EPOLLIN, rcvTimeoutMs);
            return Call.BLOCK;
        }
        if ((msgFlags & Sys.MSG_PEEK) == 0) {
            queue.poll();
            queuedBytes -= m.payload().length;
        }
        int n = Math.min(len, m.payload().length);
        System.arraycopy(m.payload(), 0, b, off, n);
        c.out = new SockAddr(m.source(), m.sourcePort());
        c.trace("from", c.out.toString());
        // udp_recvmsg: excess bytes of the datagram are discarded; MSG_TRUNC returns the real length.
        return (msgFlags & Sys.MSG_TRUNC) != 0 ? m.payload().length : n;
    }

    private void received(UdpMessage m) {
        if (released || readShut) {
            return;
        }
        if (peer != null && (!m.source().equals(peer.address()) || m.sourcePort() != peer.port())) {
            kernel.node.counterSet().drop("udp", "not_from_connected_peer");
            return;
        }
        if (queuedBytes + m.payload().length > rcvbuf) {
            // __udp_enqueue_schedule_skb: over sk_rcvbuf the datagram is dropped (RcvbufErrors).
            kernel.node.counterSet().drop("udp", "receive_buffer_full");
            return;
        }
        queue.add(m);
        queuedBytes += m.payload().length;
        wake(EPOLLIN | EPOLLRDNORM);
    }

    private void icmpError(UdpError e) {
        // __udp4_lib_err: without IP_RECVERR, only hard errors on a connected socket are reported.
        if (peer == null || !e.originalDestination().equals(peer.address()) || e.originalDestinationPort() != peer.port()) {
            return;
        }
        IcmpMessage m = e.message();
        if (m.type() != IcmpMessage.TYPE_DESTINATION_UNREACHABLE) {
            return;
        }
        // RFC 1122 section 4.2.3.9 / Linux icmp_err_convert: port unreachable -> ECONNREFUSED.
        pendingError = switch (m.code()) {
            case IcmpMessage.PORT_UNREACHABLE, IcmpMessage.PROTOCOL_UNREACHABLE -> Errno.ECONNREFUSED;
            case IcmpMessage.NET_UNREACHABLE, IcmpMessage.DESTINATION_NETWORK_UNKNOWN -> Errno.ENETUNREACH;
            case IcmpMessage.FRAGMENTATION_NEEDED -> Errno.EMSGSIZE;
            case IcmpMessage.COMMUNICATION_ADMINISTRATIVELY_PROHIBITED -> Errno.EACCES;
            default -> Errno.EHOSTUNREACH;
        };
        wake(EPOLLERR);
    }

    @Override
    long shutdown(Call c, int how) {
        if (peer == null) {
            return Errno.ENOTCONN.negative();
        }
        if (how == Sys.SHUT_RD || how == Sys.SHUT_RDWR) {
            readShut = true;
        }
        if (how == Sys.SHUT_WR || how == Sys.SHUT_RDWR) {
            writeShut = true;
        }
        wake(EPOLLIN | EPOLLOUT);
        return 0;
    }

    @Override
    int poll() {
        int m = 0;
        if (!queue.isEmpty() || readShut) {
            m |= EPOLLIN | EPOLLRDNORM;
        }
        m |= EPOLLOUT | EPOLLWRNORM; // a datagram socket is always writable here: no send queue
        if (pendingError != null) {
            m |= EPOLLERR;
        }
        if (readShut && writeShut) {
            m |= Sys.EPOLLHUP;
        }
        return m;
    }

    @Override
    SockAddr localAddress() {
        if (socket == null || !socket.isBound()) {
            return SockAddr.ANY;
        }
        Ipv4Address a = socket.localAddress();
        if (a.equals(Ipv4Address.ANY) && peer != null) {
            a = kernel.node.ip().sourceFor(peer.address(), null).orElse(Ipv4Address.ANY);
        }
        return new SockAddr(a, socket.localPort());
    }

    @Override
    SockAddr peerAddress() {
        return peer;
    }

    @Override
    SocketInfo info() {
        return new SocketInfo("udp", peer == null ? "UNCONN" : "ESTAB", queuedBytes, 0, localAddress(), peer, List.of(), "");
    }

    @Override
    int receiveBuffer() {
        return rcvbuf;
    }

    @Override
    void setReceiveBuffer(int bytes) {
        rcvbuf = bytes;
    }

    @Override
    int sendBuffer() {
        return sndbuf;
    }

    @Override
    void setSendBuffer(int bytes) {
        sndbuf = bytes;
    }

    @Override
    void ttlChanged() {
        if (socket != null) {
            socket.setTtl(ttl);
        }
    }

    @Override
    void release() {
        super.release();
        if (socket != null) {
            socket.close();
        }
        queue.clear();
    }
}
