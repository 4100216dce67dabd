package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.link.FrameHandler;
import dev.wirelab.netstack.link.InMemoryLink;

/** A port whose other side is a node in the same JVM, over an {@link InMemoryLink} pair. */
final class MemoryPort extends BusPort {

    private final InMemoryLink busEnd;

    MemoryPort(String name, Segment segment, InMemoryLink busEnd) {
        super(name, segment);
        this.busEnd = busEnd;
        busEnd.setReceiver(new FrameHandler() {
            @Override
            public void onFrame(byte[] frame) {
                segment.receive(MemoryPort.this, frame, 0);
            }

            @Override
            public void onFrame(byte[] frame, int gsoSize) {
                segment.receive(MemoryPort.this, frame, gsoSize);
            }
        });
        busEnd.onClose(() -> segment.removePort(this));
    }

    @Override
    String kind() {
        return "memory";
    }

    @Override
    boolean transmit(byte[] frame, int gsoSize) {
        if (busEnd.isClosed()) {
            return false;
        }
        // No copy: receivers treat frames as read-only (FrameHandler), so the capture, a flooded
        // frame's other receivers and this one can share the array. A corrupting impairment
        // works on its own copy (Segment).
        busEnd.send(frame, gsoSize); // a super-packet stays whole, as on a veth
        return true;
    }
}
