package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DHCP server's bindings by address (and by client, both hash lookups), and their text form in the style of dhcpd.leases(5) with
 * {@code db-time-format local} ("epoch" times):
 * <pre>
 * lease 192.168.1.100 {
 *   starts epoch 1767225600; # 2026-01-01 00:00:00 UTC
 *   ends epoch 1767229200; # 2026-01-01 01:00:00 UTC
 *   binding state active;
 *   hardware ethernet 02:00:00:00:00:01;
 *   client-hostname "pc1";
 * }
 * </pre>
 */
public final class LeaseDatabase {

    private final Map<Ipv4Address, Lease> byAddress = new HashMap<>();
    /** The addresses each client has a record for (usually one): {@link #of} without a scan. */
    private final Map<MacAddress, List<Ipv4Address>> byMac = new HashMap<>();

    public Optional<Lease> get(Ipv4Address address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /** Whether {@code address} has a record (in any state). */
    public boolean has(Ipv4Address address) {
        return byAddress.containsKey(address);
    }

    public int size() {
        return byAddress.size();
    }

    public void put(Lease lease) {
        Lease before = byAddress.put(lease.address(), lease);
        if (before != null && before.mac().equals(lease.mac())) {
            return;
        }
        if (before != null) {
            List<Ipv4Address> old = byMac.get(before.mac());
            if (old != null) {
                old.remove(before.address());
                if (old.isEmpty()) {
                    byMac.remove(before.mac());
                }
            }
        }
        byMac.computeIfAbsent(lease.mac(), k -> new ArrayList<>(1)).add(lease.address());
    }

    public void clear() {
        byAddress.clear();
        byMac.clear();
    }

    /** Every record, by address. */
    public List<Lease> all() {
        List<Lease> l = new ArrayList<>(byAddress.values());
        l.sort(Comparator.comparing(Lease::address));
        return l;
    }

    /** The client's bindings, most recent first. */
    public List<Lease> of(MacAddress mac) {
        List<Ipv4Address> addresses = byMac.get(mac);
        if (addresses == null) {
            return List.of();
        }
        List<Lease> l = new ArrayList<>(addresses.size());
        for (Ipv4Address a : addresses) {
            l.add(byAddress.get(a));
        }
        l.sort((a, b) -> Long.compare(b.starts(), a.starts()));
        return l;
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** The first line of a lease file. */
    public static final String HEADER = "# Wirelab DHCP server leases (dhcpd.leases style, epoch times in UTC;"
            + " appended as they change, the last entry for an address wins)\n";

    /** The lease file text for {@code leases}: the header and one entry each (a compacted file). */
    public static String write(Collection<Lease> leases) {
        StringBuilder sb = new StringBuilder(HEADER);
        for (Lease l : leases) {
            append(sb, l);
        }
        return sb.toString();
    }

    /** One lease entry, as appended to the file when the binding changes. */
    public static String entry(Lease l) {
        StringBuilder sb = new StringBuilder(200);
        append(sb, l);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Lease l) {
        sb.append("lease ").append(l.address()).append(" {\n");
        sb.append("  starts epoch ").append(l.starts()).append("; # ").append(DATE.format(Instant.ofEpochSecond(l.starts()))).append('\n');
        sb.append("  ends epoch ").append(l.ends()).append("; # ").append(DATE.format(Instant.ofEpochSecond(l.ends()))).append('\n');
        sb.append("  binding state ").append(l.state().text()).append(";\n");
        sb.append("  hardware ethernet ").append(l.mac()).append(";\n");
        if (l.hostname() != null) {
            sb.append("  client-hostname \"").append(l.hostname().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\";\n");
        }
        sb.append("}\n");
    }

    /**
     * Leases read from a file, in file order (a later entry for an address replaces an earlier one),
     * a message for each entry that could not be read, and whether the file ends in an entry cut
     * short (a write interrupted by a crash or a full disk): that tail is left out and reported.
     *
     * @param entries how many entries the file holds, readable or not (to decide on compaction)
     */
    public record Parsed(List<Lease> leases, List<String> errors, boolean tornTail, int entries) {
        public Parsed(List<Lease> leases, List<String> errors) {
            this(leases, errors, false, leases.size() + errors.size());
        }
    }

    private static final Pattern LEASE = Pattern.compile("lease\\s+(\\S+)\\s*\\{([^{}]*)\\}", Pattern.DOTALL);
    private static final Pattern STARTS = Pattern.compile("\\bstarts\\s+epoch\\s+(\\d{1,12})\\s*;");
    private static final Pattern ENDS = Pattern.compile("\\bends\\s+epoch\\s+(\\d{1,12})\\s*;");
    private static final Pattern STATE = Pattern.compile("\\bbinding\\s+state\\s+(\\w+)\\s*;");
    private static final Pattern HARDWARE = Pattern.compile("\\bhardware\\s+ethernet\\s+([0-9A-Fa-f:]+)\\s*;");
    private static final Pattern HOST = Pattern.compile("\\bclient-hostname\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*;");

    /** Reads a lease file; a damaged entry is skipped and reported, never fatal (the server must start). */
    public static Parsed parse(String text) {
        List<Lease> leases = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String body = text.replaceAll("#[^\\n]*", "");
        Matcher m = LEASE.matcher(body);
        int end = 0;
        int entries = 0;
        while (m.find()) {
            String between = body.substring(end, m.start()).strip();
            if (!between.isEmpty()) {
                entries++;
                errors.add("unreadable text before lease " + m.group(1) + ", ignored: '" + excerpt(between) + "'");
            }
            end = m.end();
            entries++;
            String addr = m.group(1);
            String inner = m.group(2);
            try {
                Ipv4Address a = Ipv4Address.parse(addr);
                long starts = Long.parseLong(require(STARTS, inner, "starts"));
                long ends = Long.parseLong(require(ENDS, inner, "ends"));
                Lease.State state = Lease.State.of(require(STATE, inner, "binding state"));
                MacAddress mac = MacAddress.parse(require(HARDWARE, inner, "hardware ethernet"));
                Matcher h = HOST.matcher(inner);
                String host = h.find() ? h.group(1).replaceAll("\\\\(.)", "$1") : null;
                leases.add(new Lease(a, mac, state, starts, ends, host));
            } catch (IllegalArgumentException e) {
                errors.add("lease " + addr + ": " + e.getMessage());
            }
        }
        // Anything but blanks after the last complete entry is one cut short: an append interrupted
        // mid-write leaves "lease a.b.c.d {" and part of its lines without the closing brace.
        String tail = body.substring(end).strip();
        boolean torn = !tail.isEmpty();
        if (torn) {
            errors.add("the file ends in an incomplete entry (a write cut short, e.g. by a crash), ignored: '"
                    + excerpt(tail) + "'");
            entries++;
        }
        return new Parsed(leases, errors, torn, entries);
    }

    private static String excerpt(String text) {
        return (text.length() > 60 ? text.substring(0, 60) + "..." : text).replace('\n', ' ');
    }

    private static String require(Pattern p, String inner, String what) {
        Matcher m = p.matcher(inner);
        if (!m.find()) {
            throw new IllegalArgumentException("missing or unreadable '" + what + "'");
        }
        return m.group(1);
    }
}
