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
        // Each receiver gets its own copy: the capture keeps the original, and a flooded frame
        // must not change under one node because another one rewrote it in place.
        busEnd.send(frame.clone());
        return true;
    }
}
