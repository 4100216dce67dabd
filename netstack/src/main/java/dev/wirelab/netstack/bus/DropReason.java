package dev.wirelab.netstack.bus;

/** Why the bus did not deliver a frame. Counted per port; see {@link PortCounters}. */
public enum DropReason {
    /** Shorter than an Ethernet header (14 bytes); counted on the ingress port, never captured. */
    RUNT,
    /** Longer than a VXLAN datagram can carry ({@link Segment#MAX_FRAME_LENGTH}); ingress port. */
    OVERSIZE,
    /** Destination MAC was learned on the ingress port itself, so the switch filters it (IEEE 802.1Q 8.6.5). */
    FILTERED,
    /** Impairment: random loss; ingress port. */
    LOSS,
    /** Impairment: the rate limiter's queue was full; ingress port. */
    QUEUE_FULL,
    /** Egress: the datagram to a remote VTEP could not be sent. */
    SEND_ERROR,
    /** Egress: an external port exists but the bus has no VXLAN endpoint to send through. */
    NO_ENDPOINT,
    /** Egress: the receiver behind an in-memory port threw; the other receivers still get the frame. */
    RECEIVER_ERROR,
    /** Egress to a remote VTEP: a TCP super-packet (TSO) that is not well-formed TCP cannot be cut into segments. */
    MALFORMED_SUPER_PACKET
}
