package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.wire.Vxlan;
import dev.wirelab.netstack.wire.WireFormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bus's VTEP (RFC 7348): one UDP socket, one reader thread. A datagram is decapsulated, its
 * VNI chooses the segment, its source chooses the port (see {@link Bus#remotePortFor}), and the
 * inner frame enters the segment on the reader thread. Frames leaving through remote ports are
 * encapsulated and sent from this socket, so a remote VTEP sees one peer address.
 *
 * <p>Bad datagrams (too short, I flag clear, unknown VNI) and datagrams from a source that is no
 * VTEP of the VNI's segment are counted and dropped.
 */
public final class VxlanEndpoint implements AutoCloseable {

    /**
     * Endpoint counters.
     *
     * @param unknownSource datagrams from an address that is no configured VTEP of that segment
     * @param lastUnknownSource the latest such sender ("ip:port"), null when there was none
     */
    public record Counters(long datagramsIn, long badHeader, long unknownVni, long unknownSource,
                           String lastUnknownSource, long datagramsOut, long sendErrors) {

        /** Every datagram that came in and was dropped before the switch. */
        public long dropped() {
            return badHeader + unknownVni + unknownSource;
        }
    }

    private static final int MAX_DATAGRAM = 65535;

    private final Bus bus;
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final Thread reader;
    /** Per sending thread: a datagram buffer and a header scratch, reused for every frame. */
    private record SendBuffer(ByteBuffer datagram, byte[] header) {
    }

    private final ThreadLocal<SendBuffer> sendBuffers = ThreadLocal.withInitial(
            () -> new SendBuffer(ByteBuffer.allocateDirect(MAX_DATAGRAM), new byte[Vxlan.HEADER_LENGTH]));
    private final AtomicLong datagramsOut = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    // Written by the reader thread only.
    private volatile long datagramsIn;
    private volatile long badHeader;
    private volatile long unknownVni;
    private volatile long unknownSource;
    private volatile InetSocketAddress lastUnknownSource;
    private volatile boolean closed;

    VxlanEndpoint(Bus bus, InetSocketAddress bindAddress) throws IOException {
        this.bus = bus;
        this.channel = DatagramChannel.open(bindAddress.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            channel.bind(bindAddress);
            this.local = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind the VXLAN endpoint to " + bindAddress + ": " + e.getMessage(), e);
        }
        this.reader = new Thread(this::readLoop, "vxlan-bus-" + local.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    public Counters counters() {
        InetSocketAddress last = lastUnknownSource;
        return new Counters(datagramsIn, badHeader, unknownVni, unknownSource,
                last == null ? null : last.getAddress().getHostAddress() + ":" + last.getPort(),
                datagramsOut.get(), sendErrors.get());
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        byte[] header = new byte[Vxlan.HEADER_LENGTH + 14];
        SocketAddress lastFrom = null;
        int lastVni = -1;
        RemotePort lastPort = null;
        while (!closed) {
            SocketAddress from;
            buf.clear();
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue; // e.g. an ICMP error reported on the socket: nothing to read, go on
            }
            if (from == null) {
                continue;
            }
            datagramsIn++;
            buf.flip();
            int len = buf.remaining();
            int vni;
            try {
                // The VXLAN header and the inner Ethernet header are all the check needs.
                int n = Math.min(len, header.length);
                buf.get(0, header, 0, n);
                vni = Vxlan.readVni(header, 0, n);
            } catch (WireFormatException e) {
                badHeader++;
                continue;
            }
            RemotePort port;
            if (vni == lastVni && from.equals(lastFrom) && !lastPort.closed) {
                port = lastPort;
            } else {
                Segment s = bus.segmentByVni(vni);
                if (s == null) {
                    unknownVni++;
                    continue;
                }
                port = bus.remotePortFor(s, (InetSocketAddress) from);
                if (port == null) {
                    unknownSource++;
                    lastUnknownSource = (InetSocketAddress) from;
                    continue;
                }
                lastFrom = from;
                lastVni = vni;
                lastPort = port;
            }
            byte[] frame = new byte[len - Vxlan.HEADER_LENGTH];
            buf.get(Vxlan.HEADER_LENGTH, frame);
            try {
                port.segment.receive(port, frame);
            } catch (RuntimeException e) {
                // A bug behind the switch must not stop the endpoint: report it and go on.
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    /** Sends one frame to a remote VTEP; false when the datagram could not be sent. */
    boolean send(InetSocketAddress remote, int vni, byte[] frame) {
        if (closed) {
            return false;
        }
        SendBuffer sb = sendBuffers.get();
        ByteBuffer buf = sb.datagram();
        Vxlan.writeHeader(sb.header(), 0, vni); // RFC 7348 section 5: I flag, VNI, reserved bits zero
        buf.clear();
        buf.put(sb.header()).put(frame).flip();
        try {
            if (channel.send(buf, remote) == 0) {
                sendErrors.incrementAndGet(); // no room in the socket buffer
                return false;
            }
            datagramsOut.incrementAndGet();
            return true;
        } catch (IOException e) {
            sendErrors.incrementAndGet();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
