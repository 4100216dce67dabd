package dev.wirelab.control.store;

/**
 * Which events of a run to list (null = no condition).
 *
 * @param address an IPv4 address or MAC that appears as a value in the event's detail
 * @param text    case-insensitive substring of the kind or the detail
 * @param after   cursor: only events with a greater sequence number
 */
public record EventFilter(Long fromNanos, Long toNanos, String node, String layer, String kind, String address,
                          String text, Long after, int limit) {
}
