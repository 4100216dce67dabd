package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads zone data in master-file form (RFC 1035 section 5.1): {@code $ORIGIN}, {@code $TTL}
 * (RFC 2308 section 4), {@code @} for the origin, names relative to the origin unless they end with a
 * dot, a blank owner meaning the previous one, optional TTL and class in either order, parentheses
 * across lines, ';' comments and quoted strings. Types A, AAAA, NS, CNAME, SOA, MX, TXT, PTR. TTLs
 * may carry BIND's units (30m, 1h, 2d, 1w). Errors name the line: "line 4: ...".
 */
public final class ZoneParser {

    private static final List<String> TYPES = List.of("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "TXT");

    private ZoneParser() {
    }

    /** A problem in zone text, with its line number in the message. */
    public static final class ZoneException extends IllegalArgumentException {
        public ZoneException(String message) {
            super(message);
        }
    }

    private record Token(String text, boolean quoted) {
    }

    private record Line(int number, boolean blankOwner, List<Token> tokens) {
    }

    /** Parses {@code text} with {@code origin} as the initial $ORIGIN. */
    public static List<DnsRecord> parse(DnsName origin, String text) {
        List<DnsRecord> out = new ArrayList<>();
        DnsName currentOrigin = origin;
        DnsName lastOwner = null;
        Long defaultTtl = null;
        Long lastTtl = null;
        for (Line line : logicalLines(text)) {
            List<Token> t = line.tokens();
            String first = t.get(0).text();
            if (!line.blankOwner() && first.startsWith("$")) {
                switch (first.toUpperCase(Locale.ROOT)) {
                    case "$ORIGIN" -> {
                        need(line, t.size() == 2, "$ORIGIN takes one absolute name");
                        need(line, t.get(1).text().endsWith("."), "$ORIGIN " + t.get(1).text()
                                + " must be absolute (end with a dot)");
                        currentOrigin = name(line, t.get(1).text(), currentOrigin);
                    }
                    case "$TTL" -> {
                        need(line, t.size() == 2, "$TTL takes one value");
                        defaultTtl = ttl(line, t.get(1).text());
                    }
                    default -> throw error(line, "unsupported directive " + first + " (only $ORIGIN and $TTL)");
                }
                continue;
            }
            int i = 0;
            DnsName owner;
            if (line.blankOwner()) {
                need(line, lastOwner != null, "the first record needs an owner name");
                owner = lastOwner;
            } else {
                owner = name(line, first, currentOrigin);
                i = 1;
            }
            Long ttl = null;
            boolean classSeen = false;
            // RFC 1035 section 5.1: "<owner> [<TTL>] [<class>] <type> <RDATA>", TTL and class in either order.
            while (i < t.size() && !isType(t.get(i).text())) {
                String w = t.get(i).text();
                if (!classSeen && w.equalsIgnoreCase("IN")) {
                    classSeen = true;
                } else if (ttl == null && Character.isDigit(w.charAt(0))) {
                    ttl = ttl(line, w);
                } else if (w.equalsIgnoreCase("CH") || w.equalsIgnoreCase("HS")) {
                    throw error(line, "class " + w + " is not supported (only IN)");
                } else {
                    throw error(line, "unknown record type '" + w + "' (known: " + String.join(", ", TYPES) + ")");
                }
                i++;
            }
            need(line, i < t.size(), "no record type after " + owner);
            String type = t.get(i).text().toUpperCase(Locale.ROOT);
            List<Token> rdata = t.subList(i + 1, t.size());
            if (ttl == null) {
                ttl = defaultTtl != null ? defaultTtl : lastTtl;
            }
            if (ttl == null) {
                throw error(line, "no TTL on the record and no $TTL before it");
            }
            lastTtl = ttl;
            lastOwner = owner;
            out.add(DnsRecord.in(owner, ttl, rdata(line, type, rdata, currentOrigin)));
        }
        return out;
    }

    private static boolean isType(String w) {
        return TYPES.contains(w.toUpperCase(Locale.ROOT));
    }

    private static DnsRdata rdata(Line line, String type, List<Token> r, DnsName origin) {
        switch (type) {
            case "A" -> {
                count(line, type, r, 1, "an IPv4 address");
                try {
                    return new DnsRdata.A(Ipv4Address.parse(r.get(0).text()));
                } catch (IllegalArgumentException e) {
                    throw error(line, "A record: " + e.getMessage());
                }
            }
            case "AAAA" -> {
                count(line, type, r, 1, "an IPv6 address");
                return new DnsRdata.Aaaa(ipv6(line, r.get(0).text()));
            }
            case "NS" -> {
                count(line, type, r, 1, "a name server's name");
                return new DnsRdata.Ns(name(line, r.get(0).text(), origin));
            }
            case "CNAME" -> {
                count(line, type, r, 1, "the canonical name");
                return new DnsRdata.Cname(name(line, r.get(0).text(), origin));
            }
            case "PTR" -> {
                count(line, type, r, 1, "a name");
                return new DnsRdata.Ptr(name(line, r.get(0).text(), origin));
            }
            case "MX" -> {
                count(line, type, r, 2, "a preference and a mail exchange name");
                long pref = number(line, r.get(0).text(), 0xFFFF, "MX preference");
                return new DnsRdata.Mx((int) pref, name(line, r.get(1).text(), origin));
            }
            case "TXT" -> {
                need(line, !r.isEmpty(), "TXT record needs at least one string");
                List<String> strings = new ArrayList<>();
                for (Token x : r) {
                    need(line, x.text().length() <= 255, "TXT string longer than 255 octets");
                    strings.add(x.text());
                }
                return new DnsRdata.Txt(strings);
            }
            case "SOA" -> {
                count(line, type, r, 7, "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM");
                return new DnsRdata.Soa(name(line, r.get(0).text(), origin), name(line, r.get(1).text(), origin),
                        number(line, r.get(2).text(), 0xFFFFFFFFL, "SOA serial"), ttl(line, r.get(3).text()),
                        ttl(line, r.get(4).text()), ttl(line, r.get(5).text()), ttl(line, r.get(6).text()));
            }
            default -> throw error(line, "unknown record type '" + type + "'");
        }
    }

    private static void count(Line line, String type, List<Token> r, int n, String what) {
        need(line, r.size() == n, type + " record needs " + what + ", got " + r.size() + " field"
                + (r.size() == 1 ? "" : "s"));
    }

    /** A name relative to {@code origin} unless it ends with '.'; '@' is the origin. */
    static DnsName name(Line line, String text, DnsName origin) {
        if (text.equals("@")) {
            return origin;
        }
        try {
            DnsName n = DnsName.parse(text);
            if (text.endsWith(".") && !text.endsWith("\\.")) {
                return n;
            }
            List<String> labels = new ArrayList<>(n.labels());
            labels.addAll(origin.labels());
            return DnsName.of(labels);
        } catch (IllegalArgumentException e) {
            throw error(line, "bad name '" + text + "': " + e.getMessage());
        }
    }

    /** A TTL in seconds, or with BIND's units: 30m, 1h30m, 2d, 1w. */
    static long ttl(Line line, String text) {
        String s = text.toLowerCase(Locale.ROOT);
        if (s.matches("[0-9]{1,10}")) {
            return number(line, s, 0x7FFFFFFFL, "TTL");
        }
        if (!s.matches("([0-9]+[smhdw])+")) {
            throw error(line, "'" + text + "' is not a TTL (seconds, or units s, m, h, d, w as in 1h30m)");
        }
        long total = 0;
        var m = java.util.regex.Pattern.compile("([0-9]+)([smhdw])").matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> 604800;
            };
            total += n * unit;
            if (total > 0x7FFFFFFFL) {
                throw error(line, "TTL " + text + " exceeds 2^31-1 seconds (RFC 2181 section 8)");
            }
        }
        return total;
    }

    private static long number(Line line, String text, long max, String what) {
        if (!text.matches("[0-9]{1,10}") || Long.parseLong(text) > max) {
            throw error(line, what + " must be a number from 0 to " + max + ", got '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static byte[] ipv6(Line line, String text) {
        String s = text;
        if (!s.matches("[0-9A-Fa-f:.]+") || !s.contains(":")) {
            throw error(line, "'" + text + "' is not an IPv6 address");
        }
        byte[] out = new byte[16];
        String[] halves = s.split("::", -1);
        if (halves.length > 2) {
            throw error(line, "'" + text + "' has more than one '::'");
        }
        List<Integer> head = groups(line, halves[0], text);
        List<Integer> tail = halves.length == 2 ? groups(line, halves[1], text) : List.of();
        int total = head.size() + tail.size();
        if ((halves.length == 1 && total != 8) || (halves.length == 2 && total > 7)) {
            throw error(line, "'" + text + "' does not have 8 groups of 16 bits");
        }
        for (int i = 0; i < head.size(); i++) {
            out[2 * i] = (byte) (head.get(i) >>> 8);
            out[2 * i + 1] = (byte) (int) head.get(i);
        }
        for (int i = 0; i < tail.size(); i++) {
            int g = 8 - tail.size() + i;
            out[2 * g] = (byte) (tail.get(i) >>> 8);
            out[2 * g + 1] = (byte) (int) tail.get(i);
        }
        return out;
    }

    private static List<Integer> groups(Line line, String part, String text) {
        List<Integer> l = new ArrayList<>();
        if (part.isEmpty()) {
            return l;
        }
        for (String g : part.split(":", -1)) {
            if (!g.matches("[0-9A-Fa-f]{1,4}")) {
                throw error(line, "'" + text + "' is not an IPv6 address (group '" + g + "')");
            }
            l.add(Integer.parseInt(g, 16));
        }
        return l;
    }

    private static void need(Line line, boolean ok, String message) {
        if (!ok) {
            throw error(line, message);
        }
    }

    private static ZoneException error(Line line, String message) {
        return new ZoneException("line " + line.number() + ": " + message);
    }

    /** Splits text into logical lines: comments removed, parentheses joined, quotes kept as one token. */
    private static List<Line> logicalLines(String text) {
        List<Line> out = new ArrayList<>();
        String[] physical = text.split("\r?\n", -1);
        List<Token> tokens = new ArrayList<>();
        int depth = 0;
        int startLine = 0;
        boolean blankOwner = false;
        for (int n = 0; n < physical.length; n++) {
            String p = physical[n];
            if (depth == 0) {
                tokens = new ArrayList<>();
                startLine = n + 1;
                blankOwner = !p.isEmpty() && (p.charAt(0) == ' ' || p.charAt(0) == '\t');
            }
            int i = 0;
            while (i < p.length()) {
                char c = p.charAt(i);
                if (c == ';') {
                    break;
                } else if (c == ' ' || c == '\t') {
                    i++;
                } else if (c == '(') {
                    depth++;
                    i++;
                } else if (c == ')') {
                    if (depth == 0) {
                        throw new ZoneException("line " + (n + 1) + ": ')' without '('");
                    }
                    depth--;
                    i++;
                } else if (c == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    boolean closed = false;
                    while (i < p.length()) {
                        char q = p.charAt(i);
                        if (q == '\\' && i + 1 < p.length()) {
                            sb.append(p.charAt(i + 1));
                            i += 2;
                        } else if (q == '"') {
                            closed = true;
                            i++;
                            break;
                        } else {
                            sb.append(q);
                            i++;
                        }
                    }
                    if (!closed) {
                        throw new ZoneException("line " + (n + 1) + ": unterminated quoted string");
                    }
                    tokens.add(new Token(sb.toString(), true));
                } else {
                    int j = i;
                    while (j < p.length() && " \t;()\"".indexOf(p.charAt(j)) < 0) {
                        if (p.charAt(j) == '\\' && j + 1 < p.length()) {
                            j++;
                        }
                        j++;
                    }
                    tokens.add(new Token(p.substring(i, j), false));
                    i = j;
                }
            }
            if (depth == 0 && !tokens.isEmpty()) {
                out.add(new Line(startLine, blankOwner, tokens));
            }
        }
        if (depth != 0) {
            throw new ZoneException("line " + startLine + ": '(' is never closed");
        }
        return out;
    }
}
