package dev.wirelab.netstack.link;

import dev.wirelab.netstack.offload.Tso;

/**
 * Receives whole Ethernet frames (destination MAC first, no preamble, no FCS). The array is
 * shared (with the capture and, for a flooded frame, the other receivers): a handler reads it and
 * must never write to it.
 */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(byte[] frame);

    /**
     * A frame that may be a TCP super-packet ({@code gsoSize > 0}: see {@link Tso}). A handler that
     * takes super-packets whole overrides this; by default it gets the segments a NIC would send.
     * A super-packet that cannot be cut is handed over whole, for the receiver to count and drop.
     */
    default void onFrame(byte[] frame, int gsoSize) {
        if (gsoSize == 0) {
            onFrame(frame);
            return;
        }
        for (byte[] f : Tso.segmentFrameOrWhole(frame, gsoSize)) {
            onFrame(f);
        }
    }

    FrameHandler DISCARD = frame -> { };
}
