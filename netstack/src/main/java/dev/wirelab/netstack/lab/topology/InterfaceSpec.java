package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.MacAddress;
import java.util.Objects;

/**
 * A network interface of a node, attached to one segment.
 *
 * @param segment the segment it is plugged into
 * @param address address and prefix length ({@code 192.168.1.1/24}), or null when the interface has
 *                no static address (it gets one by DHCP, or carries no IP at all)
 * @param dhcp    true when the address comes from a DHCP server (later issue); exclusive with address
 * @param mac     a fixed MAC address, or null to derive a stable one from the node and interface names
 * @param mtu     the interface's own MTU, or null to take the segment's
 * @param tso     TCP segmentation offload on this NIC ({@code ethtool -K eth0 tso on}): TCP may send
 *                super-packets of up to about 64 KB, which cross the bus whole (off by default)
 */
public record InterfaceSpec(String segment, Ipv4Cidr address, boolean dhcp, MacAddress mac, Integer mtu, boolean tso) {

    public InterfaceSpec {
        Objects.requireNonNull(segment, "segment");
    }

    /** An interface without TSO. */
    public InterfaceSpec(String segment, Ipv4Cidr address, boolean dhcp, MacAddress mac, Integer mtu) {
        this(segment, address, dhcp, mac, mtu, false);
    }

    /** An interface with a static address and everything else by default. */
    public static InterfaceSpec of(String segment, String address) {
        return new InterfaceSpec(segment, address == null ? null : Ipv4Cidr.parse(address, true), false, null, null);
    }

    public boolean hasAddress() {
        return address != null;
    }
}
