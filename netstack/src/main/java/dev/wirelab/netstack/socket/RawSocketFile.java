package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.wire.Ipv4Address;

import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.wire.EthernetFrame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A SOCK_RAW socket for crafting packets (hping, nmap): sendto() hands the bytes to IP as the
 * payload of protocol {@link #protocol}; with IP_HDRINCL the bytes start with the IPv4 header, whose
 * source (possibly spoofed), TTL and TOS are kept, as raw(7) describes. Receiving: raw(7) "all
 * matching packets are delivered to the raw socket as well" -- a copy of every unfragmented IPv4
 * datagram of the socket's protocol addressed to this node, header included, taken with the
 * node's packet taps (IPPROTO_RAW sockets receive nothing, as on Linux).
 */
final class RawSocketFile extends SocketFile {

    private boolean headerIncluded;
    private Ipv4Address bound = Ipv4Address.ANY;
    private SockAddr peer;
    private long sent;
    /** Datagrams kept for recvfrom before new ones are dropped (a stand-in for SO_RCVBUF). */
    static final int QUEUE_LIMIT = 1024;
    private final ArrayDeque<byte[]> received = new ArrayDeque<>();
    private final List<Runnable> taps = new ArrayList<>();

    RawSocketFile(Kernel kernel, int protocol) {
        super(kernel, Sys.SOCK_RAW, protocol);
        headerIncluded = protocol == Sys.IPPROTO_RAW; // raw(7): IPPROTO_RAW implies IP_HDRINCL
        if (protocol != Sys.IPPROTO_RAW) {
            for (NetworkInterface ifc : kernel.node.interfaces()) {
                taps.add(kernel.node.tapFrames(ifc.name(), EthernetFrame.ETHERTYPE_IPV4, this::frame));
            }
        }
    }

    private void frame(EthernetFrame f) {
        byte[] p = f.payload();
        if (released || p.length < 20 || (p[0] >> 4 & 0xF) != 4 || (p[9] & 0xFF) != protocol) {
            return;
        }
        int total = ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
        int fragment = ((p[6] & 0x3F) << 8) | (p[7] & 0xFF); // MF flag and offset
        if (total < 20 || total > p.length || fragment != 0 || !kernel.node.isLocalAddress(Ipv4Address.read(p, 16))) {
            return;
        }
        if (received.size() >= QUEUE_LIMIT) {
            kernel.node.counterSet().drop("raw", "receive_queue_full");
            return;
        }
        received.add(Arrays.copyOf(p, total));
        wake(Sys.EPOLLIN | Sys.EPOLLRDNORM);
    }

    @Override
    String protocolName() {
        return "raw";
    }

    @Override
    long bind(Call c, SockAddr addr) {
        if (!addr.isWildcard() && !kernel.node.isLocalAddress(addr.address())) {
            return Errno.EADDRNOTAVAIL.negative();
        }
        bound = addr.address();
        return 0;
    }

    @Override
    long connect(Call c, SockAddr addr) {
        peer = addr;
        return 0;
    }

    @Override
    long sendto(Call c, byte[] b, int off, int len, int msgFlags, SockAddr to) {
        SockAddr dst = to != null ? to : peer;
        if (dst == null) {
            return Errno.EDESTADDRREQ.negative();
        }
        OutboundDatagram d;
        if (headerIncluded) {
            // raw(7) with IP_HDRINCL: "the IPv4 header checksum and total length are always filled
            // in"; the identification is filled in when zero (here: always, by the node).
            if (len < 20 || (b[off] >> 4 & 0xF) != 4) {
                return Errno.EINVAL.negative();
            }
            int ihl = (b[off] & 0xF) * 4;
            if (ihl < 20 || ihl > len) {
                return Errno.EINVAL.negative();
            }
            int tos = b[off + 1] & 0xFF;
            int ttl = Math.max(1, b[off + 8] & 0xFF);
            int proto = b[off + 9] & 0xFF;
            Ipv4Address src = Ipv4Address.read(b, off + 12);
            Ipv4Address dstAddr = Ipv4Address.read(b, off + 16);
            byte[] payload = Arrays.copyOfRange(b, off + ihl, off + len);
            d = new OutboundDatagram(src.equals(Ipv4Address.ANY) ? null : src, dstAddr, proto, payload, ttl, tos,
                    PmtuDiscovery.DONT, null, broadcast, false);
        } else {
            d = new OutboundDatagram(bound.equals(Ipv4Address.ANY) ? null : bound, dst.address(), protocol,
                    Arrays.copyOfRange(b, off, off + len), ttl, 0, PmtuDiscovery.WANT, null, broadcast, false);
        }
        SendResult r = kernel.node.ip().send(d);
        if (!r.ok()) {
            return UdpSocketFile.errnoOf(r.status()).negative();
        }
        sent++;
        return len;
    }

    @Override
    long recvfrom(Call c, byte[] b, int off, int len, int msgFlags) {
        byte[] d = received.peek();
        if (d == null) {
            if (c.timedOut || c.mustNotBlock(this, msgFlags) || protocol == Sys.IPPROTO_RAW) {
                return Errno.EAGAIN.negative();
            }
            waitWithTimeout(c, Sys.EPOLLIN, rcvTimeoutMs);
            return Call.BLOCK;
        }
        if ((msgFlags & Sys.MSG_PEEK) == 0) {
            received.poll();
        }
        int n = Math.min(len, d.length);
        System.arraycopy(d, 0, b, off, n);
        c.out = new SockAddr(Ipv4Address.read(d, 12), 0);
        return (msgFlags & Sys.MSG_TRUNC) != 0 ? d.length : n;
    }

    @Override
    void release() {
        super.release();
        taps.forEach(Runnable::run);
        received.clear();
    }

    @Override
    long shutdown(Call c, int how) {
        return Errno.ENOTCONN.negative();
    }

    @Override
    long protocolSetsockopt(int level, int option, int value) {
        if (level == Sys.IPPROTO_IP && option == Sys.IP_HDRINCL) {
            headerIncluded = value != 0;
            return 0;
        }
        return super.protocolSetsockopt(level, option, value);
    }

    @Override
    long protocolGetsockopt(int level, int option) {
        if (level == Sys.IPPROTO_IP && option == Sys.IP_HDRINCL) {
            return headerIncluded ? 1 : 0;
        }
        return super.protocolGetsockopt(level, option);
    }

    @Override
    int poll() {
        return Sys.EPOLLOUT | Sys.EPOLLWRNORM | (received.isEmpty() ? 0 : Sys.EPOLLIN | Sys.EPOLLRDNORM);
    }

    @Override
    SockAddr localAddress() {
        return new SockAddr(bound, protocol);
    }

    @Override
    SockAddr peerAddress() {
        return peer;
    }

    @Override
    SocketInfo info() {
        return new SocketInfo("raw", "UNCONN", received.stream().mapToLong(d -> d.length).sum(), 0, localAddress(), peer,
                List.of(), "sent:" + sent);
    }

    @Override
    int receiveBuffer() {
        return Sys.RMEM_DEFAULT;
    }

    @Override
    void setReceiveBuffer(int bytes) {
    }

    @Override
    int sendBuffer() {
        return Sys.RMEM_DEFAULT;
    }

    @Override
    void setSendBuffer(int bytes) {
    }
}
