package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One subnet a DHCP server hands out addresses in (a dhcpd "subnet" with a "range").
 *
 * @param network       the subnet's network address; with {@code prefixLength} it decides which
 *                      clients the pool serves (RFC 2131 section 4.3.1: by giaddr, else by the
 *                      interface the request arrived on)
 * @param rangeStart    first address handed out
 * @param rangeEnd      last address handed out
 * @param excluded      addresses inside the range never handed out (static hosts, the router...)
 * @param reservations  fixed addresses by client MAC; a reserved address may lie outside the range
 * @param gateway       option 3 (router), or null
 * @param dnsServers    option 6 (domain name servers)
 * @param domain        option 15 (domain name), or null
 * @param leaseSeconds  option 51: the lease time granted
 * @param renewSeconds  option 58 (T1); RFC 2131 section 4.4.5 default 0.5 x lease
 * @param rebindSeconds option 59 (T2); default 0.875 x lease
 */
public record DhcpPool(Ipv4Address network, int prefixLength, Ipv4Address rangeStart, Ipv4Address rangeEnd,
                       List<Range> excluded, Map<MacAddress, Ipv4Address> reservations, Ipv4Address gateway,
                       List<Ipv4Address> dnsServers, String domain, long leaseSeconds, long renewSeconds,
                       long rebindSeconds) {

    /** An inclusive range of addresses; one address is a range of one. */
    public record Range(Ipv4Address first, Ipv4Address last) {
        public Range {
            Objects.requireNonNull(first);
            Objects.requireNonNull(last);
            if (first.compareTo(last) > 0) {
                throw new IllegalArgumentException("range " + first + "-" + last + " ends before it starts");
            }
        }

        public boolean contains(Ipv4Address a) {
            return a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
        }

        /** Parses "10.0.0.10-10.0.0.20" or a single address. */
        public static Range parse(String text) {
            int dash = text.indexOf('-');
            if (dash < 0) {
                Ipv4Address a = Ipv4Address.parse(text.strip());
                return new Range(a, a);
            }
            return new Range(Ipv4Address.parse(text.substring(0, dash).strip()),
                    Ipv4Address.parse(text.substring(dash + 1).strip()));
        }

        @Override
        public String toString() {
            return first.equals(last) ? first.toString() : first + "-" + last;
        }
    }

    public DhcpPool {
        Objects.requireNonNull(network);
        Objects.requireNonNull(rangeStart);
        Objects.requireNonNull(rangeEnd);
        excluded = List.copyOf(excluded);
        reservations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reservations));
        dnsServers = List.copyOf(dnsServers);
        network = network.network(prefixLength);
        if (rangeStart.compareTo(rangeEnd) > 0) {
            throw new IllegalArgumentException("range " + rangeStart + "-" + rangeEnd + " ends before it starts");
        }
        if (!rangeStart.inSubnet(network, prefixLength) || !rangeEnd.inSubnet(network, prefixLength)) {
            throw new IllegalArgumentException("range " + rangeStart + "-" + rangeEnd + " is not inside " + network + "/" + prefixLength);
        }
        if (leaseSeconds < 1 || renewSeconds < 1 || rebindSeconds < renewSeconds || leaseSeconds < rebindSeconds) {
            // RFC 2131 section 4.4.5: T1 < T2 < lease time.
            throw new IllegalArgumentException("need 0 < T1 (" + renewSeconds + ") <= T2 (" + rebindSeconds
                    + ") <= lease (" + leaseSeconds + ")");
        }
    }

    /** A pool with T1 and T2 at their RFC 2131 section 4.4.5 defaults. */
    public static DhcpPool of(Ipv4Address network, int prefixLength, Ipv4Address first, Ipv4Address last,
                              Ipv4Address gateway, List<Ipv4Address> dns, String domain, long leaseSeconds) {
        return new DhcpPool(network, prefixLength, first, last, List.of(), Map.of(), gateway, dns, domain,
                leaseSeconds, leaseSeconds / 2, leaseSeconds * 7 / 8);
    }

    public boolean inSubnet(Ipv4Address a) {
        return a.inSubnet(network, prefixLength);
    }

    public Ipv4Address mask() {
        return new Ipv4Address(Ipv4Address.mask(prefixLength));
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~Ipv4Address.mask(prefixLength));
    }

    public boolean inRange(Ipv4Address a) {
        return a.compareTo(rangeStart) >= 0 && a.compareTo(rangeEnd) <= 0;
    }

    public boolean isExcluded(Ipv4Address a) {
        for (Range r : excluded) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** True when this pool may hand {@code a} to {@code client}: a reservation for it, or a free range address. */
    public boolean assignable(Ipv4Address a, MacAddress client) {
        Ipv4Address reserved = reservations.get(client);
        if (reserved != null) {
            return reserved.equals(a);
        }
        return inRange(a) && !isExcluded(a) && !reservations.containsValue(a)
                && !a.equals(network) && !a.equals(broadcast());
    }
}
