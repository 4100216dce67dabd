package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Objects;

/** {@code struct sockaddr_in}: an IPv4 address and a port; 0.0.0.0 and port 0 mean "any". */
public record SockAddr(Ipv4Address address, int port) {

    public static final SockAddr ANY = new SockAddr(Ipv4Address.ANY, 0);

    public SockAddr {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }

    public static SockAddr of(String address, int port) {
        return new SockAddr(Ipv4Address.parse(address), port);
    }

    public static SockAddr any(int port) {
        return new SockAddr(Ipv4Address.ANY, port);
    }

    public boolean isWildcard() {
        return address.equals(Ipv4Address.ANY);
    }

    /** "10.0.0.1:80", as ss prints it. */
    @Override
    public String toString() {
        return address + ":" + port;
    }
}
