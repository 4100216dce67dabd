package dev.wirelab.netstack.link;

/**
 * Receives whole Ethernet frames (destination MAC first, no preamble, no FCS). The array is
 * shared (with the capture and, for a flooded frame, the other receivers): a handler reads it and
 * must never write to it.
 */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(byte[] frame);

    FrameHandler DISCARD = frame -> { };
}
