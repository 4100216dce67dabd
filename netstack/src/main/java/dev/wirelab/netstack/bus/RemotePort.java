package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.offload.Tso;
import dev.wirelab.netstack.wire.WireFormatException;
import java.net.InetSocketAddress;
import java.util.List;

/** A port behind a remote VTEP: frames leave VXLAN-encapsulated with the segment's VNI. */
final class RemotePort extends BusPort {

    final InetSocketAddress remote;
    private final Bus bus;

    RemotePort(String name, Segment segment, InetSocketAddress remote, Bus bus) {
        super(name, segment);
        this.remote = remote;
        this.bus = bus;
    }

    @Override
    String kind() {
        return "external";
    }

    @Override
    boolean transmit(byte[] frame, int gsoSize) {
        VxlanEndpoint ep = bus.vxlanEndpoint();
        if (ep == null) {
            drop(DropReason.NO_ENDPOINT);
            return false;
        }
        if (gsoSize > 0) {
            // A TCP super-packet leaves as the segments a NIC would send: the host behind the VTEP
            // gets ordinary frames within its MTU (Linux segments before a vxlan device too).
            List<byte[]> pieces;
            try {
                pieces = Tso.segmentFrame(frame, gsoSize);
            } catch (WireFormatException e) {
                drop(DropReason.MALFORMED_SUPER_PACKET);
                return false;
            }
            boolean all = true;
            for (byte[] f : pieces) {
                if (!ep.send(remote, segment.vni(), f)) {
                    drop(DropReason.SEND_ERROR);
                    all = false;
                }
            }
            return all;
        }
        if (!ep.send(remote, segment.vni(), frame)) {
            drop(DropReason.SEND_ERROR);
            return false;
        }
        return true;
    }

    @Override
    void onRemoved() {
        bus.forget(this);
    }
}
