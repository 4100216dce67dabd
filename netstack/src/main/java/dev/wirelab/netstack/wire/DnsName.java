package dev.wirelab.netstack.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A domain name (RFC 1034 section 3.1) as its labels, leftmost first; the root is no labels.
 * Labels hold their octets as ISO-8859-1 characters, so any byte survives a round trip. Names
 * compare without regard to ASCII case (RFC 1035 section 2.3.3, RFC 4343) but keep the case they
 * were given for display.
 */
public final class DnsName implements Comparable<DnsName> {

    /** RFC 1035 section 2.3.4: labels are 63 octets or less. */
    public static final int MAX_LABEL = 63;
    /** RFC 1035 section 2.3.4: names are 255 octets or less (in wire form, length bytes included). */
    public static final int MAX_NAME = 255;

    public static final DnsName ROOT = new DnsName(List.of());

    private final List<String> labels;
    private final String key;

    private DnsName(List<String> labels) {
        this.labels = List.copyOf(labels);
        StringBuilder k = new StringBuilder();
        for (String l : this.labels) {
            k.append(l.toLowerCase(Locale.ROOT)).append('\u0000');
        }
        this.key = k.toString();
    }

    /**
     * A name from its labels.
     *
     * @throws IllegalArgumentException when a label is empty or longer than 63 octets, or the name is
     *                                  longer than 255 octets
     */
    public static DnsName of(List<String> labels) {
        int wire = 1;
        for (String l : labels) {
            if (l.isEmpty()) {
                throw new IllegalArgumentException("empty label in a domain name");
            }
            if (l.length() > MAX_LABEL) {
                throw new IllegalArgumentException("label '" + l + "' is " + l.length()
                        + " octets; RFC 1035 section 2.3.4 allows 63");
            }
            for (int i = 0; i < l.length(); i++) {
                if (l.charAt(i) > 0xFF) {
                    throw new IllegalArgumentException("label '" + l + "' has a character outside one octet");
                }
            }
            wire += 1 + l.length();
        }
        if (wire > MAX_NAME) {
            throw new IllegalArgumentException("name is " + wire + " octets in wire form; RFC 1035 section 2.3.4 allows 255");
        }
        return labels.isEmpty() ? ROOT : new DnsName(labels);
    }

    /**
     * Parses presentation text: "www.example.com." or "www.example.com" (both absolute), "." or ""
     * for the root. A backslash escapes the next character or, with three digits, gives an octet
     * ({@code \046}), as in master files (RFC 1035 section 5.1).
     */
    public static DnsName parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.equals(".")) {
            return ROOT;
        }
        List<String> labels = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 3 < s.length() && Character.isDigit(s.charAt(i + 1))
                        && Character.isDigit(s.charAt(i + 2)) && Character.isDigit(s.charAt(i + 3))) {
                    int v = Integer.parseInt(s.substring(i + 1, i + 4));
                    if (v > 255) {
                        throw new IllegalArgumentException("escape \\" + s.substring(i + 1, i + 4) + " is above 255 in " + text);
                    }
                    cur.append((char) v);
                    i += 3;
                } else if (i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else {
                    throw new IllegalArgumentException("name ends with a lone backslash: " + text);
                }
            } else if (c == '.') {
                if (cur.isEmpty()) {
                    throw new IllegalArgumentException("empty label in '" + text + "'");
                }
                labels.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            labels.add(cur.toString());
        }
        return of(labels);
    }

    public List<String> labels() {
        return labels;
    }

    public int labelCount() {
        return labels.size();
    }

    public boolean isRoot() {
        return labels.isEmpty();
    }

    /** Octets in uncompressed wire form. */
    public int wireLength() {
        int n = 1;
        for (String l : labels) {
            n += 1 + l.length();
        }
        return n;
    }

    /** The name one label up; the root's parent is the root. */
    public DnsName parent() {
        return labels.isEmpty() ? ROOT : new DnsName(labels.subList(1, labels.size()));
    }

    /** The last {@code n} labels. */
    public DnsName suffix(int n) {
        return n >= labels.size() ? this : n <= 0 ? ROOT : new DnsName(labels.subList(labels.size() - n, labels.size()));
    }

    /** {@code label} prepended: {@code www} + {@code example.com.}. */
    public DnsName child(String label) {
        List<String> l = new ArrayList<>(labels.size() + 1);
        l.add(label);
        l.addAll(labels);
        return of(l);
    }

    /** True when this name is {@code other} or below it (every name is under the root). */
    public boolean isSubdomainOf(DnsName other) {
        int n = other.labels.size();
        return n <= labels.size() && suffix(n).equals(other);
    }

    /** Lower-case form for keys. */
    public String canonical() {
        return toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsName n && key.equals(n.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    /** Canonical DNS order (RFC 4034 section 6.1): by labels from the right, case-insensitively. */
    @Override
    public int compareTo(DnsName o) {
        int a = labels.size();
        int b = o.labels.size();
        for (int i = 1; i <= Math.min(a, b); i++) {
            int c = labels.get(a - i).toLowerCase(Locale.ROOT).compareTo(o.labels.get(b - i).toLowerCase(Locale.ROOT));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a, b);
    }

    /** Presentation form with a trailing dot, escaping '.', '\', and octets outside printable ASCII. */
    @Override
    public String toString() {
        if (labels.isEmpty()) {
            return ".";
        }
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' || c == '$') {
                    sb.append('\\').append(c);
                } else if (c <= 0x20 || c >= 0x7F) {
                    sb.append(String.format("\\%03d", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('.');
        }
        return sb.toString();
    }

    /** The labels' octets as they go on the wire. */
    static byte[] labelBytes(String label) {
        return label.getBytes(StandardCharsets.ISO_8859_1);
    }
}
