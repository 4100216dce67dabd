package dev.wirelab.netstack.http;

import dev.wirelab.netstack.http.HttpMessage.Framing;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An incremental HTTP/1.1 stream decoder (RFC 9112) for requests or for responses: bytes go in
 * as they arrive from a connection, split anywhere, and complete messages come out, several per
 * call when pipelined. Bodies are framed by Content-Length, by the chunked transfer coding (with
 * trailer fields), or, for responses only, by the end of the connection ({@link #finish()}).
 *
 * <p>Bad input never crashes it: the first violation throws {@link WireFormatException} (protocol
 * "http") saying what was wrong, and {@link #errorStatus()} tells the status a server answers with
 * (400, 413, 414, 431, 501 or 505). A failed decoder stays failed: the connection must be closed
 * (RFC 9112 section 9.6 leaves no way to find the next message after a framing error).
 */
public final class HttpDecoder {

    /**
     * Size limits (RFC 9112 section 2.3 asks for limits; RFC 9110 section 5.4 for field sizes).
     *
     * @param maxStartLine     request-line or status-line octets (414 when a request-line exceeds it)
     * @param maxFieldLine     octets of one field line (431)
     * @param maxHeaderSection octets of the whole header (or trailer) section (431)
     * @param maxFields        field lines in a section (431)
     * @param maxBody          octets of a message body (413)
     */
    public record Limits(int maxStartLine, int maxFieldLine, int maxHeaderSection, int maxFields, long maxBody) {
        /** 8 KiB lines, as RFC 9112 section 3 recommends at least 8000 octets for the request-line. */
        public static final Limits DEFAULT = new Limits(8192, 8192, 65_536, 100, 64L << 20);

        public Limits {
            if (maxStartLine < 16 || maxFieldLine < 16 || maxHeaderSection < maxFieldLine || maxFields < 1 || maxBody < 0) {
                throw new IllegalArgumentException("limits too small: " + this);
            }
        }
    }

    private enum State { START, HEADERS, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, FAILED }

    /** RFC 9110 section 5.6.2: tchar. */
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    /** RFC 9112 section 2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT (case-sensitive). */
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");
    /** RFC 9110 section 7.2: Host = uri-host [ ":" port ] (reg-name, IPv4, or an IP-literal in brackets). */
    private static final Pattern HOST = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9\\-._~!$&'()*+,;=%]*)(:[0-9]*)?");
    /** Empty lines a server skips before a request-line (RFC 9112 section 2.2 asks for at least one). */
    private static final int MAX_LEADING_EMPTY_LINES = 8;

    private final boolean requests;
    private final Limits limits;
    /** Methods of the requests sent on this connection whose responses have not come yet. */
    private final ArrayDeque<String> pendingMethods = new ArrayDeque<>();

    private State state = State.START;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lineCr;
    private int emptyLines;
    private int sectionBytes;
    private int fieldCount;

    // The message being decoded.
    private String method;
    private String target;
    private String version;
    private int status;
    private String reason;
    private HttpFields headers;
    private HttpFields trailers;
    private String foldName;
    private StringBuilder foldValue;
    private ByteArrayOutputStream body;
    private long remaining;
    private Framing framing;
    private boolean started;

    private int errorStatus;
    private String error;

    private HttpDecoder(boolean requests, Limits limits) {
        this.requests = requests;
        this.limits = limits;
    }

    /** A server's decoder: requests. */
    public static HttpDecoder requests() {
        return new HttpDecoder(true, Limits.DEFAULT);
    }

    public static HttpDecoder requests(Limits limits) {
        return new HttpDecoder(true, limits);
    }

    /** A client's decoder: responses. Tell it each request's method ({@link #requestSent}). */
    public static HttpDecoder responses() {
        return new HttpDecoder(false, Limits.DEFAULT);
    }

    public static HttpDecoder responses(Limits limits) {
        return new HttpDecoder(false, limits);
    }

    /**
     * A request with {@code method} went out on this connection: its response is framed by it
     * (a response to HEAD has no body, RFC 9110 section 9.3.2). Responses come in request order.
     */
    public void requestSent(String method) {
        pendingMethods.add(method);
    }

    /** The status code a server should answer a failed request with (0 while nothing failed). */
    public int errorStatus() {
        return errorStatus;
    }

    /** What went wrong, or null. */
    public String error() {
        return error;
    }

    public boolean failed() {
        return state == State.FAILED;
    }

    /** Whether part of a message has arrived (a server's idle timeout then answers 408 rather than closing silently). */
    public boolean inMessage() {
        return started || line.size() > 0 || lineCr;
    }

    /** Body octets still expected under Content-Length, or -1 when the body is not length-framed or not started. */
    public long remaining() {
        return state == State.BODY ? remaining : -1;
    }

    /** Decodes {@code b}; returns the messages it completed, in order. */
    public List<HttpMessage> feed(byte[] b) {
        return feed(b, 0, b.length);
    }

    /** Decodes {@code len} bytes of {@code b} from {@code off}; returns the messages they complete. */
    public List<HttpMessage> feed(byte[] b, int off, int len) {
        if (state == State.FAILED) {
            throw new WireFormatException("http", error);
        }
        List<HttpMessage> out = new ArrayList<>(1);
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    body.write(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.BODY) {
                            out.add(complete());
                        } else {
                            state = State.CHUNK_END;
                        }
                    }
                }
                case UNTIL_CLOSE -> {
                    int n = end - i;
                    if (body.size() + (long) n > limits.maxBody()) {
                        fail(413, "body longer than " + limits.maxBody() + " octets");
                    }
                    body.write(b, i, n);
                    i = end;
                }
                default -> {
                    // Line-oriented states: one octet at a time until LF.
                    byte c = b[i++];
                    String l = lineByte(c);
                    if (l != null) {
                        HttpMessage m = onLine(l);
                        if (m != null) {
                            out.add(m);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The connection was closed by the peer: completes a response framed by the close, returns
     * nothing between messages, and fails in the middle of any other message (an incomplete
     * message, RFC 9112 section 8).
     */
    public List<HttpMessage> finish() {
        if (state == State.FAILED) {
            throw new WireFormatException("http", error);
        }
        if (state == State.UNTIL_CLOSE) {
            return List.of(complete());
        }
        if (!inMessage()) {
            return List.of();
        }
        String where = switch (state) {
            case START -> "in the start line";
            case HEADERS -> "in the header section";
            case BODY -> "with " + remaining + " body octets still to come";
            case TRAILERS -> "in the trailer section";
            default -> "in a chunked body";
        };
        throw fail(400, "connection closed " + where);
    }

    // ------------------------------------------------------------------ lines

    /** Adds one octet to the current line; returns the line (without CRLF) once it ends. */
    private String lineByte(byte c) {
        if (lineCr) {
            lineCr = false;
            if (c != '\n') {
                // RFC 9112 section 2.2: a bare CR outside content is invalid.
                fail(400, "bare CR in " + lineKind());
            }
            return takeLine();
        }
        if (c == '\r') {
            lineCr = true;
            return null;
        }
        if (c == '\n') {
            // RFC 9112 section 2.2: a recipient MAY recognize a single LF as a line terminator.
            return takeLine();
        }
        line.write(c);
        int max = switch (state) {
            case START -> limits.maxStartLine();
            case HEADERS, TRAILERS -> limits.maxFieldLine();
            default -> 1024;
        };
        if (line.size() > max) {
            if (state == State.START) {
                // A request-line that long is almost always a long request-target (as nginx answers).
                fail(requests ? 414 : 400, (requests ? "request-line" : "status-line") + " longer than " + max + " octets");
            }
            if (state == State.HEADERS || state == State.TRAILERS) {
                fail(431, "field line longer than " + max + " octets");
            }
            fail(400, "chunk " + lineKind() + " longer than " + max + " octets");
        }
        return null;
    }

    private String takeLine() {
        // RFC 9112 section 2.2: parse as octets in a superset of US-ASCII; obs-text maps 1:1 in ISO-8859-1.
        String s = line.toString(StandardCharsets.ISO_8859_1);
        line.reset();
        if (state == State.HEADERS || state == State.TRAILERS) {
            sectionBytes += s.length() + 2;
            if (sectionBytes > limits.maxHeaderSection()) {
                fail(431, (state == State.HEADERS ? "header" : "trailer") + " section longer than "
                        + limits.maxHeaderSection() + " octets");
            }
        }
        return s;
    }

    private String lineKind() {
        return switch (state) {
            case START -> requests ? "request-line" : "status-line";
            case HEADERS -> "header section";
            case TRAILERS -> "trailer section";
            case CHUNK_SIZE -> "size line";
            default -> "chunk data end";
        };
    }

    private HttpMessage onLine(String l) {
        return switch (state) {
            case START -> {
                startLine(l);
                yield null;
            }
            case HEADERS -> fieldLine(l, headers);
            case CHUNK_SIZE -> {
                chunkSize(l);
                yield null;
            }
            case CHUNK_END -> {
                if (!l.isEmpty()) {
                    fail(400, "chunk data longer than its chunk-size");
                }
                state = State.CHUNK_SIZE;
                yield null;
            }
            case TRAILERS -> fieldLine(l, trailers);
            default -> throw new IllegalStateException(state.name());
        };
    }

    // ------------------------------------------------------------------ start line

    private void startLine(String l) {
        if (l.isEmpty()) {
            // RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request-line.
            if (!requests || ++emptyLines > MAX_LEADING_EMPTY_LINES) {
                fail(400, requests ? "too many empty lines before the request-line" : "empty line instead of a status-line");
            }
            return;
        }
        started = true;
        headers = new HttpFields();
        trailers = new HttpFields();
        sectionBytes = 0;
        fieldCount = 0;
        if (requests) {
            requestLine(l);
        } else {
            statusLine(l);
        }
        state = State.HEADERS;
    }

    /** RFC 9112 section 3: request-line = method SP request-target SP HTTP-version. */
    private void requestLine(String l) {
        int sp1 = l.indexOf(' ');
        int sp2 = l.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 == sp1) {
            fail(400, "request-line is not 'method SP request-target SP HTTP-version': '" + printable(l) + "'");
        }
        method = l.substring(0, sp1);
        target = l.substring(sp1 + 1, sp2);
        version = l.substring(sp2 + 1);
        if (!isToken(method)) {
            fail(400, "method is not a token: '" + printable(method) + "'");
        }
        if (target.isEmpty()) {
            fail(400, "empty request-target");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            // RFC 9112 section 3.2: the target is a URI form; whitespace or controls in it are invalid (RFC 3986).
            if (c <= 0x20 || c >= 0x7F) {
                fail(400, "invalid octet 0x" + Integer.toHexString(c) + " in the request-target");
            }
        }
        checkVersion(version);
    }

    /** RFC 9112 section 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. */
    private void statusLine(String l) {
        int sp1 = l.indexOf(' ');
        if (sp1 < 0) {
            fail(400, "status-line is not 'HTTP-version SP status-code SP reason-phrase': '" + printable(l) + "'");
        }
        version = l.substring(0, sp1);
        checkVersion(version);
        String rest = l.substring(sp1 + 1);
        // Some servers end the line right after the code; accepted, as most clients do.
        if (rest.length() < 3 || (rest.length() > 3 && rest.charAt(3) != ' ')) {
            fail(400, "status-code is not three digits: '" + printable(rest) + "'");
        }
        for (int i = 0; i < 3; i++) {
            if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                fail(400, "status-code is not three digits: '" + printable(rest.substring(0, 3)) + "'");
            }
        }
        status = Integer.parseInt(rest.substring(0, 3));
        if (status < 100) {
            fail(400, "status-code " + rest.substring(0, 3) + " is below 100");
        }
        reason = rest.length() > 4 ? rest.substring(4) : "";
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                fail(400, "control octet in the reason-phrase");
            }
        }
    }

    private void checkVersion(String v) {
        if (!VERSION.matcher(v).matches()) {
            fail(400, "not an HTTP-version: '" + printable(v) + "'");
        }
        if (v.charAt(5) != '1') {
            // RFC 9110 section 15.6.6: 505 when the major version is not supported.
            fail(505, "HTTP major version " + v.charAt(5) + " is not supported");
        }
    }

    // ------------------------------------------------------------------ fields

    /** RFC 9112 section 5: field-line = field-name ":" OWS field-value OWS. Null until the section ends. */
    private HttpMessage fieldLine(String l, HttpFields into) {
        boolean trailer = into == trailers;
        if (l.isEmpty()) {
            flushFold(into);
            return trailer ? complete() : endOfHeaders();
        }
        char first = l.charAt(0);
        if (first == ' ' || first == '\t') {
            // RFC 9112 section 5.2: obs-fold. A server MUST reject it in a request with 400; a user agent
            // MUST replace it with SP in a response. Never allowed in trailers or before a first field.
            if (requests || trailer || foldName == null) {
                fail(400, "obsolete line folding (obs-fold) in the " + (trailer ? "trailer" : "header") + " section");
            }
            String more = stripOws(l);
            checkValue(more);
            foldValue.append(' ').append(more);
            return null;
        }
        flushFold(into);
        int colon = l.indexOf(':');
        if (colon < 0) {
            fail(400, "field line without a colon: '" + printable(l) + "'");
        }
        String name = l.substring(0, colon);
        if (name.isEmpty()) {
            fail(400, "empty field name");
        }
        char last = name.charAt(name.length() - 1);
        if (last == ' ' || last == '\t') {
            // RFC 9112 section 5.1: no whitespace between field name and colon; a server MUST reject with 400.
            fail(400, "whitespace between field name '" + printable(name.strip()) + "' and colon");
        }
        if (!isToken(name)) {
            fail(400, "field name is not a token: '" + printable(name) + "'");
        }
        if (++fieldCount > limits.maxFields()) {
            fail(431, "more than " + limits.maxFields() + " field lines");
        }
        String value = stripOws(l.substring(colon + 1));
        checkValue(value);
        foldName = name;
        foldValue = new StringBuilder(value);
        return null;
    }

    private void flushFold(HttpFields into) {
        if (foldName != null) {
            into.add(foldName, foldValue.toString());
            foldName = null;
            foldValue = null;
        }
    }

    /** RFC 9110 section 5.5: field-value octets are VCHAR, obs-text, SP and HTAB; CR, LF, NUL are dangerous. */
    private void checkValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                fail(400, "control octet 0x" + Integer.toHexString(c) + " in a field value");
            }
        }
    }

    // ------------------------------------------------------------------ framing

    /** RFC 9112 section 6.3: how long the body is, decided once the header section has ended. */
    private HttpMessage endOfHeaders() {
        List<String> te = headers.tokens("Transfer-Encoding");
        List<String> cl = headers.all("Content-Length");
        boolean hasTe = headers.contains("Transfer-Encoding");
        if (requests) {
            return requestFraming(te, hasTe, cl);
        }
        return responseFraming(te, hasTe, cl);
    }

    private HttpMessage requestFraming(List<String> te, boolean hasTe, List<String> cl) {
        List<String> hosts = headers.all("Host");
        // RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, with two Host lines, or a bad Host.
        if (hosts.isEmpty() && minor() >= 1) {
            fail(400, "HTTP/1.1 request without a Host header field");
        }
        if (hosts.size() > 1) {
            fail(400, "more than one Host header field");
        }
        if (hosts.size() == 1 && !HOST.matcher(hosts.get(0)).matches()) {
            fail(400, "invalid Host header field: '" + printable(hosts.get(0)) + "'");
        }
        if (hasTe) {
            if (minor() == 0) {
                // RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
                fail(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!cl.isEmpty()) {
                // RFC 9112 section 6.1 lets a server reject both; doing so closes a request-smuggling door.
                fail(400, "both Transfer-Encoding and Content-Length");
            }
            chunkedLast(te);
            return startChunked();
        }
        if (!cl.isEmpty()) {
            long n = contentLength(cl);
            if (n > limits.maxBody()) {
                fail(413, "Content-Length " + n + " exceeds " + limits.maxBody() + " octets");
            }
            return startLength(n);
        }
        // RFC 9112 section 6.3 item 7: a request with neither has no body.
        framing = Framing.NONE;
        return complete();
    }

    private HttpMessage responseFraming(List<String> te, boolean hasTe, List<String> cl) {
        String requestMethod = status >= 200 ? pendingMethods.poll() : pendingMethods.peek();
        // RFC 9112 section 6.3 item 1: HEAD, 1xx, 204 and 304 responses end with the header section.
        if ("HEAD".equals(requestMethod) || status < 200 || status == 204 || status == 304) {
            framing = Framing.NONE;
            return complete();
        }
        // Item 2: a 2xx answer to CONNECT turns the connection into a tunnel.
        if ("CONNECT".equals(requestMethod) && status < 300) {
            framing = Framing.NONE;
            return complete();
        }
        if (hasTe) {
            // Item 4: chunked last means chunked; otherwise the body runs until the connection closes.
            if (!te.isEmpty() && te.get(te.size() - 1).equalsIgnoreCase("chunked")) {
                chunkedOnce(te);
                return startChunked();
            }
            return startUntilClose();
        }
        if (!cl.isEmpty()) {
            // Item 5: an invalid Content-Length in a response is an unrecoverable error.
            long n = contentLength(cl);
            if (n > limits.maxBody()) {
                fail(413, "Content-Length " + n + " exceeds " + limits.maxBody() + " octets");
            }
            return startLength(n);
        }
        return startUntilClose(); // item 8
    }

    /** A request's codings: chunked must be last (item 4, else 400), and we decode no other (501). */
    private void chunkedLast(List<String> te) {
        if (te.isEmpty() || !te.get(te.size() - 1).equalsIgnoreCase("chunked")) {
            fail(400, "Transfer-Encoding without chunked as the final coding");
        }
        chunkedOnce(te);
        for (String t : te) {
            if (!t.equalsIgnoreCase("chunked")) {
                // RFC 9112 section 6.1: a transfer coding the server does not understand gets 501.
                fail(501, "transfer coding '" + printable(t) + "' is not implemented");
            }
        }
    }

    private void chunkedOnce(List<String> te) {
        // RFC 9112 section 7: a sender MUST NOT apply chunked more than once.
        if (te.stream().filter(t -> t.equalsIgnoreCase("chunked")).count() > 1) {
            fail(400, "chunked transfer coding applied more than once");
        }
    }

    /**
     * RFC 9110 section 8.6: Content-Length = 1*DIGIT; a list of identical values may be taken as one,
     * anything else is invalid (RFC 9112 section 6.3 item 5).
     */
    private long contentLength(List<String> lines) {
        String value = null;
        for (String line : lines) {
            for (String part : line.split(",", -1)) {
                String v = part.strip();
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    fail(400, "invalid Content-Length: '" + printable(line) + "'");
                }
                if (value != null && !value.equals(v)) {
                    fail(400, "conflicting Content-Length values " + value + " and " + v);
                }
                value = v;
            }
        }
        return Long.parseLong(value);
    }

    private HttpMessage startLength(long n) {
        framing = Framing.LENGTH;
        body = new ByteArrayOutputStream((int) Math.min(n, 65536));
        if (n == 0) {
            return complete();
        }
        remaining = n;
        state = State.BODY;
        return null;
    }

    private HttpMessage startChunked() {
        framing = Framing.CHUNKED;
        body = new ByteArrayOutputStream();
        state = State.CHUNK_SIZE;
        return null;
    }

    private HttpMessage startUntilClose() {
        framing = Framing.CLOSE;
        body = new ByteArrayOutputStream();
        state = State.UNTIL_CLOSE;
        return null;
    }

    /** RFC 9112 section 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk has size 0. */
    private void chunkSize(String l) {
        int i = 0;
        long size = 0;
        while (i < l.length() && Character.digit(l.charAt(i), 16) >= 0) {
            if (i >= 15) {
                fail(400, "chunk-size too large: '" + printable(l) + "'");
            }
            size = size * 16 + Character.digit(l.charAt(i), 16);
            i++;
        }
        if (i == 0) {
            fail(400, "chunk-size is not hexadecimal: '" + printable(l) + "'");
        }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): ignored, but must start with ';'.
        String rest = l.substring(i).stripLeading();
        if (!rest.isEmpty() && rest.charAt(0) != ';') {
            fail(400, "junk after chunk-size: '" + printable(l) + "'");
        }
        checkValue(rest);
        if (body.size() + size > limits.maxBody()) {
            fail(413, "chunked body longer than " + limits.maxBody() + " octets");
        }
        if (size == 0) {
            // RFC 9112 section 7.1.2: trailer-section follows the last chunk.
            state = State.TRAILERS;
            sectionBytes = 0;
            fieldCount = 0;
            return;
        }
        remaining = size;
        state = State.CHUNK_DATA;
    }

    // ------------------------------------------------------------------ completion

    private HttpMessage complete() {
        byte[] content = body == null ? new byte[0] : body.toByteArray();
        HttpMessage m = requests
                ? new HttpRequest(method, target, version, headers, content, trailers, framing)
                : new HttpResponse(version, status, reason, headers, content, trailers, framing);
        state = State.START;
        started = false;
        emptyLines = 0;
        body = null;
        remaining = 0;
        foldName = null;
        return m;
    }

    private int minor() {
        return version.charAt(7) - '0';
    }

    private WireFormatException fail(int status, String message) {
        state = State.FAILED;
        errorStatus = status;
        error = message;
        throw new WireFormatException("http", message);
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String stripOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.substring(a, b);
    }

    /** For messages: controls shown as \xNN, long text cut. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
