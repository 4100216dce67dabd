package dev.wirelab.netstack.link;

import dev.wirelab.netstack.wire.Vxlan;
import dev.wirelab.netstack.wire.WireFormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's end of a link to the bus over VXLAN (RFC 7348) on UDP: the node speaks like a small
 * VTEP with one VNI and one peer, the bus's VXLAN endpoint. Used by nodes that run in their own
 * process or container.
 *
 * <p>One UDP socket, connected to the bus so only its datagrams are read; one reader thread that
 * hands each frame to the receiver (which posts it to the node's loop). Sending encapsulates into
 * a reused direct buffer, so the only per-frame allocation is the received frame's array.
 * Datagrams that are not VXLAN, or carry another VNI, are counted and dropped.
 */
public final class VxlanLink implements Link {

    private static final int MAX_DATAGRAM = 65535;

    private final DatagramChannel channel;
    private final int vni;
    private final InetSocketAddress local;
    private final InetSocketAddress bus;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] header = new byte[Vxlan.HEADER_LENGTH];
    private final Thread reader;
    private volatile FrameHandler receiver = FrameHandler.DISCARD;
    private volatile boolean closed;
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private volatile long framesReceived;
    private volatile long badDatagrams;
    private volatile long wrongVni;

    private VxlanLink(DatagramChannel channel, int vni, InetSocketAddress bus) throws IOException {
        this.channel = channel;
        this.vni = vni;
        this.bus = bus;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.reader = new Thread(this::readLoop, "vxlan-link-" + local.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens a link on {@code local} (port 0 picks one) that exchanges frames of segment {@code vni}
     * with the bus's VXLAN endpoint at {@code bus}.
     */
    public static VxlanLink open(InetSocketAddress local, InetSocketAddress bus, int vni) throws IOException {
        if ((vni & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("VNI must fit in 24 bits: " + vni);
        }
        DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            ch.bind(local);
            ch.connect(bus);
            return new VxlanLink(ch, vni, bus);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    public InetSocketAddress busAddress() {
        return bus;
    }

    public int vni() {
        return vni;
    }

    @Override
    public void send(byte[] frame) {
        if (closed || frame == null || frame.length + Vxlan.HEADER_LENGTH > MAX_DATAGRAM - 28) {
            sendErrors.incrementAndGet();
            return;
        }
        synchronized (sendBuffer) {
            ByteBuffer buf = sendBuffer;
            buf.clear();
            Vxlan.writeHeader(header, 0, vni);
            buf.put(header).put(frame).flip();
            try {
                channel.write(buf);
                framesSent.incrementAndGet();
            } catch (IOException e) {
                // e.g. PortUnreachableException while the bus is not up yet: the frame is lost, as on a wire
                sendErrors.incrementAndGet();
            }
        }
    }

    @Override
    public void setReceiver(FrameHandler receiver) {
        this.receiver = receiver == null ? FrameHandler.DISCARD : receiver;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        byte[] hdr = new byte[Vxlan.HEADER_LENGTH + 14];
        while (!closed) {
            buf.clear();
            try {
                channel.read(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue; // an ICMP error for an earlier datagram; keep reading
            }
            buf.flip();
            int len = buf.remaining();
            int got;
            try {
                // The VXLAN header and the inner Ethernet header are all the check needs.
                int n = Math.min(len, hdr.length);
                buf.get(0, hdr, 0, n);
                got = Vxlan.readVni(hdr, 0, n);
            } catch (WireFormatException e) {
                badDatagrams++;
                continue;
            }
            if (got != vni) {
                wrongVni++;
                continue;
            }
            byte[] frame = new byte[len - Vxlan.HEADER_LENGTH];
            buf.get(Vxlan.HEADER_LENGTH, frame);
            framesReceived++;
            try {
                receiver.onFrame(frame);
            } catch (RuntimeException e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    public long framesSent() {
        return framesSent.get();
    }

    public long framesReceived() {
        return framesReceived;
    }

    /** Frames that could not be sent (closed, too large, socket error). */
    public long sendErrors() {
        return sendErrors.get();
    }

    /** Datagrams that were not valid VXLAN (too short, I flag clear). */
    public long badDatagrams() {
        return badDatagrams;
    }

    /** Valid VXLAN datagrams for another VNI. */
    public long wrongVni() {
        return wrongVni;
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

    @Override
    public String toString() {
        return "VxlanLink[" + local + " -> " + bus + ", vni " + vni + "]";
    }
}
