package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Typed reads shared by the service kinds (dhcp, dns, resolver, relay): addresses, lists, lease times. */
final class FieldReaders {

    private FieldReaders() {
    }

    /** An IPv4 address field, or null (reported) when absent-and-required or malformed. */
    static Ipv4Address address(Fields f, String field, boolean required, String what) {
        SourceNode n = f.get(field, required);
        return n == null ? null : address(f, n, what);
    }

    static Ipv4Address address(Fields f, SourceNode n, String what) {
        String s = f.asString(n, what);
        if (s == null) {
            return null;
        }
        try {
            return Ipv4Cidr.parseAddress(s.strip(), s);
        } catch (IllegalArgumentException e) {
            f.problems().add(n, e.getMessage());
            return null;
        }
    }

    /** A unicast host address: not 0.0.0.0/8, loopback, multicast, class E or broadcast. */
    static boolean unicast(Ipv4Address a) {
        int top = a.bits() >>> 24;
        return top != 0 && top != 127 && top < 224;
    }

    /** A list of addresses; a single address where a list is expected is accepted too. */
    static List<Ipv4Address> addresses(Fields f, String field, boolean required, String what) {
        SourceNode n = f.get(field, required);
        List<Ipv4Address> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        List<SourceNode> items = n instanceof SourceNode.ListNode l ? l.items() : List.of(n);
        for (SourceNode item : items) {
            Ipv4Address a = address(f, item, what);
            if (a != null) {
                if (!unicast(a)) {
                    f.problems().add(item, a + " is not a unicast host address");
                } else {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** Strings of a list field. */
    static List<String> strings(Fields f, String field, String what) {
        List<SourceNode> items = f.list(field, false, "a list of " + what);
        List<String> out = new ArrayList<>();
        if (items != null) {
            for (SourceNode item : items) {
                String s = f.asString(item, what);
                if (s != null) {
                    out.add(s.strip());
                }
            }
        }
        return out;
    }

    static MacAddress mac(Problems problems, SourceNode at, String text) {
        if (!text.strip().matches("[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}")) {
            problems.add(at, "'" + text + "' is not a MAC address: write six hex bytes separated by ':', e.g. 02:00:00:00:00:01");
            return null;
        }
        MacAddress m = MacAddress.parse(text);
        if (m.isGroup()) {
            problems.add(at, "'" + text + "' is a group (multicast) MAC address, not a client's");
            return null;
        }
        return m;
    }

    /**
     * A lease-like time: whole seconds (an integer), or a number with unit s, m, h, d, w ("30m",
     * "12h", "1d"), as dnsmasq and dhcpd configurations write them. Null (reported) when malformed.
     */
    static Long seconds(Fields f, String field, long min, long max) {
        SourceNode n = f.get(field, false);
        if (n == null) {
            return null;
        }
        long v;
        if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.INTEGER) {
            v = s.integer().min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        } else if (n instanceof SourceNode.Scalar s && s.type() == SourceNode.ScalarType.STRING
                && s.text().strip().toLowerCase(Locale.ROOT).matches("[0-9]{1,9}[smhdw]?")) {
            String t = s.text().strip().toLowerCase(Locale.ROOT);
            boolean bare = Character.isDigit(t.charAt(t.length() - 1));
            char unit = bare ? 's' : t.charAt(t.length() - 1);
            long number = Long.parseLong(bare ? t : t.substring(0, t.length() - 1));
            v = number * switch (unit) {
                case 'm' -> 60L;
                case 'h' -> 3600L;
                case 'd' -> 86400L;
                case 'w' -> 604800L;
                default -> 1L;
            };
        } else {
            f.problems().add(n, "must be a time such as 3600, 30m, 12h or 1d, got " + n.describe());
            return null;
        }
        if (v < min || v > max) {
            f.problems().add(n, "must be from " + min + " to " + max + " seconds, got " + v);
            return null;
        }
        return v;
    }

    /** Seconds as the shortest unit text that reads back the same ("3600" -> "1h"). */
    static String formatSeconds(long s) {
        if (s % 604800 == 0) {
            return s / 604800 + "w";
        }
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
