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

    /** Sets who receives frames arriving on this end. */
    void setReceiver(FrameHandler receiver);

    @Override
    default void close() {
    }
}
