package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.ip.OutboundDatagram;
import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Arrays;
import java.util.List;

/**
 * A SOCK_RAW socket for crafting packets (hping, nmap): sendto() hands the bytes to IP as the
 * payload of protocol {@link #protocol}; with IP_HDRINCL the bytes start with the IPv4 header, whose
 * source (possibly spoofed), TTL and TOS are kept, as raw(7) describes. Send-only: the node's
 * transports keep the packets they receive (no raw receive tap).
 */
final class RawSocketFile extends SocketFile {

    private boolean headerIncluded;
    private Ipv4Address bound = Ipv4Address.ANY;
    private SockAddr peer;
    private long sent;

    RawSocketFile(Kernel kernel, int protocol) {
        super(kernel, Sys.SOCK_RAW, protocol);
        headerIncluded = protocol == Sys.IPPROTO_RAW; // raw(7): IPPROTO_RAW implies IP_HDRINCL
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
        // Nothing is ever delivered to a raw socket here; waiting would be forever.
        return Errno.EAGAIN.negative();
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
        return Sys.EPOLLOUT | Sys.EPOLLWRNORM;
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
        return new SocketInfo("raw", "UNCONN", 0, 0, localAddress(), peer, List.of(), "sent:" + sent);
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
