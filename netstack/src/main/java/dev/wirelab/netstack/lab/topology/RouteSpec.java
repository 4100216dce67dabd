package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import java.util.Objects;

/**
 * A static route.
 *
 * @param to  destination prefix (host bits zero); {@code 0.0.0.0/0} is the default route
 * @param via next-hop router, on a subnet directly connected to the node; null for an on-link route
 *            (then {@code dev} is required)
 * @param dev outgoing interface name, or null to choose it from {@code via}
 */
public record RouteSpec(Ipv4Cidr to, Ipv4Address via, String dev) {

    public RouteSpec {
        Objects.requireNonNull(to, "to");
    }

    public static RouteSpec via(String to, String via) {
        return new RouteSpec(Ipv4Cidr.parse(to, false), Ipv4Address.parse(via), null);
    }

    public boolean isDefault() {
        return to.prefixLength() == 0;
    }
}
