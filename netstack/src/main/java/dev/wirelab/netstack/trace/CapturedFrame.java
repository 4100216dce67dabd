package dev.wirelab.netstack.trace;

/**
 * A frame as the bus saw it arrive.
 *
 * @param seq         position in the lab's frame timeline, from 0
 * @param timeNanos   nanoseconds since the lab epoch
 * @param segment     segment (VNI) name
 * @param ingressPort the bus port it came in on (node:interface, or an external port name)
 * @param bytes       the Ethernet frame, not to be modified
 */
public record CapturedFrame(long seq, long timeNanos, String segment, String ingressPort, byte[] bytes) {
}
