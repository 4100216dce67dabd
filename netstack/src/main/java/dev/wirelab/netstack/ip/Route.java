package dev.wirelab.netstack.ip;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Objects;

/**
 * One entry of a node's routing table.
 *
 * @param network         destination network, host bits zero
 * @param prefixLength    0..32; 0 is the default route
 * @param gateway         next hop, or {@code null} when the destination is on-link
 * @param interfaceName   egress interface
 * @param origin          connected (added with an address) or static
 * @param preferredSource source address for locally originated packets, or {@code null}
 * @param metric          lower wins between routes of the same prefix length
 */
public record Route(Ipv4Address network, int prefixLength, Ipv4Address gateway, String interfaceName,
                    Origin origin, Ipv4Address preferredSource, int metric) {

    /** Where a route came from, named as {@code ip route} names its {@code proto}. */
    public enum Origin {
        CONNECTED("kernel"), STATIC("static");

        private final String proto;

        Origin(String proto) {
            this.proto = proto;
        }

        public String proto() {
            return proto;
        }
    }

    public Route {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(origin, "origin");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        if ((network.bits() & ~Ipv4Address.mask(prefixLength)) != 0) {
            // `ip route add 10.0.1.5/24` answers "Invalid prefix for given prefix length" too.
            throw new IllegalArgumentException("invalid prefix for given prefix length: " + network + "/" + prefixLength
                    + " (did you mean " + network.network(prefixLength) + "/" + prefixLength + "?)");
        }
        if (metric < 0) {
            throw new IllegalArgumentException("metric must be >= 0: " + metric);
        }
    }

    public static Route connected(Ipv4Address network, int prefixLength, String interfaceName, Ipv4Address source) {
        return new Route(network.network(prefixLength), prefixLength, null, interfaceName, Origin.CONNECTED, source, 0);
    }

    public static Route via(Ipv4Address network, int prefixLength, Ipv4Address gateway, String interfaceName) {
        return new Route(network, prefixLength, gateway, interfaceName, Origin.STATIC, null, 0);
    }

    /** The netmask as an int, e.g. 0xFFFFFF00 for /24. */
    public int mask() {
        return Ipv4Address.mask(prefixLength);
    }

    public Ipv4Address maskAddress() {
        return new Ipv4Address(mask());
    }

    /** True when {@code destination AND mask == network}: the RFC 1122 section 3.3.1.1 test. */
    public boolean matches(Ipv4Address destination) {
        return (destination.bits() & mask()) == network.bits();
    }

    public boolean onLink() {
        return gateway == null;
    }

    public boolean isDefault() {
        return prefixLength == 0;
    }

    /** "10.0.1.0/24" or "default". */
    public String destinationText() {
        return isDefault() ? "default" : network + "/" + prefixLength;
    }

    /** The line {@code ip route} prints for this route. */
    public String toIpRouteLine() {
        StringBuilder sb = new StringBuilder(destinationText());
        if (gateway != null) {
            sb.append(" via ").append(gateway);
        }
        sb.append(" dev ").append(interfaceName);
        if (origin == Origin.CONNECTED) {
            sb.append(" proto kernel scope link");
        } else if (gateway == null) {
            sb.append(" scope link");
        }
        if (preferredSource != null) {
            sb.append(" src ").append(preferredSource);
        }
        if (metric != 0) {
            sb.append(" metric ").append(metric);
        }
        return sb.toString();
    }
}
