package dev.wirelab.netstack.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes HTTP/1.1 messages (RFC 9112): start line, field lines, the empty line, and the body as it
 * is framed (Content-Length as given, or chunks). Refuses to write what a decoder would reject, so
 * a field value with CR or LF cannot split a message (response splitting).
 */
public final class HttpWriter {

    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(100, "Continue"), Map.entry(101, "Switching Protocols"),
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(204, "No Content"),
            Map.entry(206, "Partial Content"), Map.entry(301, "Moved Permanently"), Map.entry(302, "Found"),
            Map.entry(304, "Not Modified"), Map.entry(400, "Bad Request"), Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"),
            Map.entry(411, "Length Required"), Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(503, "Service Unavailable"),
            Map.entry(505, "HTTP Version Not Supported"));

    private HttpWriter() {
    }

    /** The reason phrase RFC 9110 section 15 gives {@code status} ("" for codes it does not name here). */
    public static String reason(int status) {
        return REASONS.getOrDefault(status, "");
    }

    /** Request-line and header section (RFC 9112 section 3), ending with the empty line. */
    public static byte[] requestHead(String method, String target, String version, HttpFields headers) {
        if (!HttpDecoder.isToken(method)) {
            throw new IllegalArgumentException("method is not a token: " + method);
        }
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) <= 0x20 || target.charAt(i) >= 0x7F) {
                throw new IllegalArgumentException("request-target with whitespace or non-ASCII: " + target);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
        fields(b, headers);
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Status-line and header section (RFC 9112 section 4), ending with the empty line. */
    public static byte[] responseHead(String version, int status, String reason, HttpFields headers) {
        StringBuilder b = new StringBuilder();
        b.append(version).append(' ').append(status).append(' ').append(value(reason)).append("\r\n");
        fields(b, headers);
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A whole request: the head, then the body as its headers frame it (chunked when they say so). */
    public static byte[] request(HttpRequest r) {
        return message(requestHead(r.method(), r.target(), r.version(), r.headers()), r.headers(), r.body(), r.trailers());
    }

    /** A whole response; a HEAD response or one without a body is the head only. */
    public static byte[] response(HttpResponse r) {
        return message(responseHead(r.version(), r.status(), r.reason(), r.headers()), r.headers(), r.body(), r.trailers());
    }

    private static byte[] message(byte[] head, HttpFields headers, byte[] body, HttpFields trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + body.length + 16);
        out.writeBytes(head);
        if (headers.hasToken("Transfer-Encoding", "chunked")) {
            if (body.length > 0) {
                out.writeBytes(chunk(body, 0, body.length));
            }
            out.writeBytes(lastChunk(trailers));
        } else {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** One chunk (RFC 9112 section 7.1): hex size, CRLF, the data, CRLF. Never empty: size 0 is the last chunk. */
    public static byte[] chunk(byte[] data, int off, int len) {
        if (len == 0) {
            throw new IllegalArgumentException("an empty chunk would be the last-chunk");
        }
        byte[] size = (Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size.length + len + 2];
        System.arraycopy(size, 0, out, 0, size.length);
        System.arraycopy(data, off, out, size.length, len);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** last-chunk, the trailer section and the final CRLF (RFC 9112 section 7.1.2). */
    public static byte[] lastChunk(HttpFields trailers) {
        StringBuilder b = new StringBuilder("0\r\n");
        fields(b, trailers);
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void fields(StringBuilder b, HttpFields fields) {
        for (HttpFields.Field f : fields.asList()) {
            if (!HttpDecoder.isToken(f.name())) {
                throw new IllegalArgumentException("field name is not a token: " + f.name());
            }
            b.append(f.name()).append(": ").append(value(f.value())).append("\r\n");
        }
    }

    /** RFC 9110 section 5.5: no CR, LF, NUL (or other controls but HTAB) in a field value; no edge whitespace. */
    private static String value(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("field value with a control or non-Latin-1 character: " + v);
            }
        }
        return v;
    }
}
