package dev.wirelab.netstack.link;

/**
 * One end of a point-to-point Ethernet attachment: a node's NIC on one side, a bus port on the
 * other. Implementations: an in-memory handoff (tests, embedded runtime) and VXLAN over UDP
 * (containers, external Linux hosts).
 *
 * <p>{@link #send} may be called from the owner's event loop; the receiver is called on whatever
 * thread delivers the frame, so a node hands frames over to its own loop before touching state.
 */
public interface Link extends AutoCloseable {

    /** Transmits one frame. Never blocks for long; a frame that cannot be sent is counted and dropped. */
    void send(byte[] frame);

    /**
     * Transmits a frame that may be a TCP super-packet ({@code gsoSize > 0}, see
     * {@link dev.wirelab.netstack.offload.Tso}). A link that carries super-packets whole (the
     * in-memory link to the bus) overrides this; by default the frame is cut into the segments a
     * NIC would send.
     */
    default void send(byte[] frame, int gsoSize) {
        if (gsoSize == 0) {
            send(frame);
            return;
        }
        for (byte[] f : dev.wirelab.netstack.offload.Tso.segmentFrameOrWhole(frame, gsoSize)) {
            send(f);
        }
    }

    /** Sets who receives frames arriving on this end. */
    void setReceiver(FrameHandler receiver);

    @Override
    default void close() {
    }
}
