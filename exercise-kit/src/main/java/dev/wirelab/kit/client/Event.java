package dev.wirelab.kit.client;

import tools.jackson.databind.JsonNode;

/**
 * A stack event of a node: what happened inside it (a socket call, a TCP state change, an ARP
 * decision, a DHCP or DNS step), on the same timeline as the frames.
 *
 * @param layer  the stack layer: arp, ipv4, route, icmp, udp, tcp, dhcp, dns, http, app, node...
 * @param kind   what happened, e.g. tcp "state", dns "cache_miss"
 * @param detail its fields
 */
public record Event(long seq, long timeNanos, String node, String layer, String kind, JsonNode detail) {

    /** A detail field as text, or null when the event has none. */
    public String detail(String key) {
        JsonNode v = detail == null ? null : detail.get(key);
        return v == null || v.isNull() ? null : v.isValueNode() ? v.asString() : v.toString();
    }

    /** {@code layer/kind}, e.g. {@code tcp/state}. */
    public String name() {
        return layer + "/" + kind;
    }
}
