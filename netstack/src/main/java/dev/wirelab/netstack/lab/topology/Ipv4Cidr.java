package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import java.util.Objects;

/**
 * An IPv4 address with a prefix length, as written in topology files: {@code 192.168.1.1/24} on an
 * interface (address plus its subnet), {@code 10.0.0.0/8} as a route destination.
 */
public record Ipv4Cidr(Ipv4Address address, int prefixLength) {

    public Ipv4Cidr {
        Objects.requireNonNull(address, "address");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
    }

    /**
     * Parses {@code a.b.c.d/len}. With {@code prefixRequired} false a bare address means /32.
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static Ipv4Cidr parse(String text, boolean prefixRequired) {
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            if (prefixRequired) {
                if (!looksLikeAddress(s)) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address with prefix length, "
                            + "such as 192.168.1.1/24");
                }
                throw new IllegalArgumentException("'" + text + "' has no prefix length: write it as "
                        + "address/prefix, e.g. " + s + "/24");
            }
            return new Ipv4Cidr(parseAddress(s, text), 32);
        }
        Ipv4Address a = parseAddress(s.substring(0, slash), text);
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "': prefix length '" + len + "' is not a number 0..32");
        }
        int n = Integer.parseInt(len);
        if (n > 32) {
            throw new IllegalArgumentException("'" + text + "': prefix length " + n + " is more than 32");
        }
        return new Ipv4Cidr(a, n);
    }

    /** Parses a dotted-quad address with a message that names the whole input and the reason. */
    static Ipv4Address parseAddress(String s, String whole) {
        String[] parts = s.split("\\.", -1);
        String what = "'" + whole + "' is not an IPv4 address" + (whole.equals(s) ? "" : " with prefix");
        if (parts.length != 4) {
            throw new IllegalArgumentException(what + " (need four numbers 0..255 separated by dots)");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException(what + " ('" + p + "' is not a number 0..255)");
            }
            if (p.length() > 1 && p.charAt(0) == '0') {
                // inet_aton(3) reads a leading zero as octal: refuse rather than guess.
                throw new IllegalArgumentException(what + " ('" + p + "' has a leading zero, which some "
                        + "tools read as octal)");
            }
            int n = Integer.parseInt(p);
            if (n > 255) {
                throw new IllegalArgumentException(what + " (" + n + " is more than 255)");
            }
            v = (v << 8) | n;
        }
        return new Ipv4Address(v);
    }

    private static boolean looksLikeAddress(String s) {
        try {
            parseAddress(s, s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public int mask() {
        return Ipv4Address.mask(prefixLength);
    }

    /** The subnet: address with the host bits cleared. */
    public Ipv4Address network() {
        return address.network(prefixLength);
    }

    /** The subnet's directed broadcast address (all host bits set). */
    public Ipv4Address broadcast() {
        return new Ipv4Address(address.bits() | ~mask());
    }

    /** This prefix with host bits cleared: 192.168.1.1/24 -> 192.168.1.0/24. */
    public Ipv4Cidr subnet() {
        return new Ipv4Cidr(network(), prefixLength);
    }

    public boolean contains(Ipv4Address a) {
        return a.inSubnet(address, prefixLength);
    }

    /** True when the host bits are all zero, as a route destination must be. */
    public boolean isNetwork() {
        return (address.bits() & ~mask()) == 0;
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
