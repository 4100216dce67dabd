package dev.wirelab.netstack.bus;

import java.net.InetSocketAddress;

/** A port behind a remote VTEP: frames leave VXLAN-encapsulated with the segment's VNI. */
final class RemotePort extends BusPort {

    final InetSocketAddress remote;
    final boolean learned;
    private final Bus bus;

    RemotePort(String name, Segment segment, InetSocketAddress remote, boolean learned, Bus bus) {
        super(name, segment);
        this.remote = remote;
        this.learned = learned;
        this.bus = bus;
    }

    @Override
    String kind() {
        return learned ? "learned" : "external";
    }

    @Override
    boolean transmit(byte[] frame) {
        VxlanEndpoint ep = bus.vxlanEndpoint();
        if (ep == null) {
            drop(DropReason.NO_ENDPOINT);
            return false;
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
