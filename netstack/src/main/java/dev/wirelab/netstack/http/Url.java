package dev.wirelab.netstack.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * An http URL (RFC 9110 section 4.2.1, syntax RFC 3986) as curl and browsers take it from a user:
 * a missing scheme means http, the host is lower-cased, the port defaults to 80, an empty path is
 * "/", dot segments are removed (RFC 3986 section 5.2.4), the fragment stays on the client, and
 * characters that may not appear in a URI are percent-encoded as UTF-8.
 *
 * @param userinfo "user:password" before '@', or null
 * @param query    the query without '?', or null
 */
public record Url(String scheme, String userinfo, String host, int port, String path, String query) {

    /** A URL that cannot be used, with curl's exit code: 1 (unsupported protocol) or 3 (malformed). */
    public static final class UrlException extends IllegalArgumentException {
        private final int curlCode;

        public UrlException(int curlCode, String message) {
            super(message);
            this.curlCode = curlCode;
        }

        public int curlCode() {
            return curlCode;
        }
    }

    public static final int DEFAULT_PORT = 80;

    public static Url parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new UrlException(3, "URL using bad/illegal format or missing URL");
        }
        String scheme = "http";
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            // RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
            if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
                throw new UrlException(3, "URL rejected: Bad scheme");
            }
            s = s.substring(sep + 3);
            if (!scheme.equals("http")) {
                throw new UrlException(1, "Protocol \"" + scheme + "\" not supported or disabled in libcurl");
            }
        }
        int hash = s.indexOf('#');
        if (hash >= 0) {
            s = s.substring(0, hash); // RFC 3986 section 3.5: the fragment is never sent
        }
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?') {
                end = i;
                break;
            }
        }
        String authority = s.substring(0, end);
        String rest = s.substring(end);
        String userinfo = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
        }
        String host = authority;
        int port = DEFAULT_PORT;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && !authority.endsWith("]")) {
            host = authority.substring(0, colon);
            String p = authority.substring(colon + 1);
            if (!p.isEmpty()) {
                if (!p.matches("[0-9]{1,5}") || Integer.parseInt(p) > 65535) {
                    throw new UrlException(3, "URL rejected: Port number was not a decimal number between 0 and 65535");
                }
                port = Integer.parseInt(p);
            }
        }
        if (host.isEmpty()) {
            throw new UrlException(3, "URL rejected: No host part in the URL");
        }
        // RFC 3986 section 3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ), or an IP-literal.
        if (!host.matches("[A-Za-z0-9\\-._~%!$&'()*+,;=]+|\\[[0-9A-Fa-f:.]+\\]")) {
            throw new UrlException(3, "URL rejected: Bad hostname");
        }
        host = host.toLowerCase(Locale.ROOT);
        String path = rest;
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            path = rest.substring(0, q);
            query = encode(rest.substring(q + 1), true);
        }
        path = removeDotSegments(encode(path.isEmpty() ? "/" : path, false));
        return new Url(scheme, userinfo, host, port, path, query);
    }

    /** What goes on the request-line (origin-form, RFC 9112 section 3.2.1): path and query. */
    public String target() {
        return query == null ? path : path + "?" + query;
    }

    /** The Host field value (RFC 9110 section 7.2): the port only when it is not the default. */
    public String hostHeader() {
        return port == DEFAULT_PORT ? host : host + ":" + port;
    }

    /** The last path segment, as {@code curl -O} names its file ("index.html" for "/"). */
    public String fileName() {
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() ? "index.html" : last;
    }

    @Override
    public String toString() {
        return scheme + "://" + (userinfo == null ? "" : userinfo + "@") + hostHeader() + target();
    }

    /** A reference from a page (a Location header, a link) resolved against this URL (RFC 3986 section 5.2). */
    public Url resolve(String reference) {
        String r = reference.strip();
        if (r.contains("://")) {
            return parse(r);
        }
        String base = scheme + "://" + hostHeader();
        if (r.startsWith("//")) {
            return parse(scheme + ":" + r);
        }
        if (r.startsWith("/")) {
            return parse(base + r);
        }
        if (r.startsWith("?")) {
            return parse(base + path + r);
        }
        String dir = path.substring(0, path.lastIndexOf('/') + 1);
        return parse(base + dir + r);
    }

    /** RFC 3986 section 5.2.4: "/a/b/../c/./d" -> "/a/c/d". */
    public static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segs = path.split("/", -1);
        for (int i = 1; i < segs.length; i++) {
            String seg = segs[i];
            boolean last = i == segs.length - 1;
            if (seg.equals(".") || seg.equals("%2e") || seg.equals("%2E")) {
                if (last) {
                    out.addLast("");
                }
            } else if (seg.equals("..") || seg.equalsIgnoreCase("%2e%2e")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    /** Percent-encodes what may not appear in a path or query (RFC 3986 section 2.1), keeping existing escapes. */
    static String encode(String s, boolean query) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            boolean allowed = c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^'
                    && c != '`' && c != '{' && c != '|' && c != '}' && (query || c != '?');
            if (allowed) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    /**
     * Percent-encodes a path segment taken as data (a file name): every octet of its UTF-8 but the
     * unreserved characters (RFC 3986 sections 2.3 and 2.4), so "%", "?", "#", "/", ":" and what
     * HTML gives a meaning to ("&amp;", "&lt;", "\"") cannot change what the reference means.
     */
    static String encodeSegment(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    /** {@link #decode}, or the text itself when it has a broken escape (for user:password). */
    public static String decodeOrRaw(String s) {
        String d = decode(s);
        return d == null ? s : d;
    }

    /** Decodes %XX escapes as UTF-8; null when an escape is broken or decodes to NUL. */
    public static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
