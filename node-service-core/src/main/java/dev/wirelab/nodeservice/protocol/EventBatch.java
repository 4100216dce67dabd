package dev.wirelab.nodeservice.protocol;

import java.util.List;
import java.util.Map;

/**
 * Stack events a node container made, in sequence order.
 *
 * @param bootId  changes when the container's process starts again: sequence numbers start over
 * @param next    the sequence number the next event will get (fetch with {@code after=next-1})
 * @param dropped events this boot dropped because its buffer was full (their numbers are gaps)
 * @param events  events with a sequence number above the request's {@code after}, oldest first
 */
public record EventBatch(String bootId, long next, long dropped, List<Event> events) {

    /** One stack event, as {@code dev.wirelab.netstack.trace.TraceEvent} with its sequence number. */
    public record Event(long seq, long timeNanos, String node, String layer, String kind, Map<String, Object> detail) {
    }
}
