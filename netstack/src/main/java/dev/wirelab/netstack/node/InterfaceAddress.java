package dev.wirelab.netstack.node;

import dev.wirelab.netstack.wire.Ipv4Address;

/** An IPv4 address with its prefix length on an interface ({@code 10.0.1.2/24}). */
public record InterfaceAddress(Ipv4Address address, int prefixLength) {

    public InterfaceAddress {
        Ipv4Address.mask(prefixLength); // validates 0..32
    }

    public Ipv4Address network() {
        return address.network(prefixLength);
    }

    /** The directed broadcast address of the subnet (RFC 919/922); none for /31 and /32 (RFC 3021). */
    public Ipv4Address broadcast() {
        if (prefixLength >= 31) {
            return null;
        }
        return new Ipv4Address(address.bits() | ~Ipv4Address.mask(prefixLength));
    }

    public boolean contains(Ipv4Address other) {
        return other.inSubnet(address, prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
