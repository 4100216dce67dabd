package dev.wirelab.netstack.bus;

import dev.wirelab.netstack.link.InMemoryLink;

/** A port whose other side is a node in the same JVM, over an {@link InMemoryLink} pair. */
final class MemoryPort extends BusPort {

    private final InMemoryLink busEnd;

    MemoryPort(String name, Segment segment, InMemoryLink busEnd) {
        super(name, segment);
        this.busEnd = busEnd;
        busEnd.setReceiver(frame -> segment.receive(this, frame));
        busEnd.onClose(() -> segment.removePort(this));
    }

    @Override
    String kind() {
        return "memory";
    }

    @Override
    boolean transmit(byte[] frame) {
        if (busEnd.isClosed()) {
            return false;
        }
        // No copy: receivers treat frames as read-only (FrameHandler), so the capture, a flooded
        // frame's other receivers and this one can share the array. A corrupting impairment
        // works on its own copy (Segment).
        busEnd.send(frame);
        return true;
    }
}
