package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import java.util.Objects;

/**
 * Where the bus listens for VXLAN (external ports, node containers).
 *
 * @param bind local IPv4 address to bind, 0.0.0.0 for all
 * @param port local UDP port, 4789 by default
 */
public record BusSpec(Ipv4Address bind, int port) {

    public static final BusSpec DEFAULT = new BusSpec(Ipv4Address.ANY, ExternalPortSpec.DEFAULT_PORT);

    public BusSpec {
        Objects.requireNonNull(bind, "bind");
    }
}
