package dev.wirelab.netstack.link;

/** Receives whole Ethernet frames (destination MAC first, no preamble, no FCS). */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(byte[] frame);

    FrameHandler DISCARD = frame -> { };
}
