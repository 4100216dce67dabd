package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DHCP server's bindings by address, and their text form in the style of dhcpd.leases(5) with
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

    private final Map<Ipv4Address, Lease> byAddress = new TreeMap<>();

    public Optional<Lease> get(Ipv4Address address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    public void put(Lease lease) {
        byAddress.put(lease.address(), lease);
    }

    public void clear() {
        byAddress.clear();
    }

    public List<Lease> all() {
        return List.copyOf(byAddress.values());
    }

    /** The client's bindings, most recent first. */
    public List<Lease> of(MacAddress mac) {
        List<Lease> l = new ArrayList<>();
        for (Lease x : byAddress.values()) {
            if (x.mac().equals(mac)) {
                l.add(x);
            }
        }
        l.sort((a, b) -> Long.compare(b.starts(), a.starts()));
        return l;
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** The lease file text for {@code leases}. */
    public static String write(Collection<Lease> leases) {
        StringBuilder sb = new StringBuilder("# Wirelab DHCP server leases (dhcpd.leases style, epoch times in UTC)\n");
        for (Lease l : leases) {
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
        return sb.toString();
    }

    /** Leases read from a file, and a message for each entry that could not be read. */
    public record Parsed(List<Lease> leases, List<String> errors) {
    }

    private static final Pattern LEASE = Pattern.compile("lease\\s+(\\S+)\\s*\\{([^}]*)\\}", Pattern.DOTALL);
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
        while (m.find()) {
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
        return new Parsed(leases, errors);
    }

    private static String require(Pattern p, String inner, String what) {
        Matcher m = p.matcher(inner);
        if (!m.find()) {
            throw new IllegalArgumentException("missing or unreadable '" + what + "'");
        }
        return m.group(1);
    }
}
