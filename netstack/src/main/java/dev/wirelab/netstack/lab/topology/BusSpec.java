package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;

/**
 * Where the bus listens for VXLAN (external ports, node containers).
 *
 * @param bind local IPv4 address to bind; null: chosen by the lab, the address this machine sends
 *             from towards the external VTEPs (127.0.0.1 when they are on loopback), so the bus never
 *             listens on every interface unless a topology says {@code 0.0.0.0}
 * @param port local UDP port, 4789 by default
 */
public record BusSpec(Ipv4Address bind, int port) {

    public static final BusSpec DEFAULT = new BusSpec(null, ExternalPortSpec.DEFAULT_PORT);
}
