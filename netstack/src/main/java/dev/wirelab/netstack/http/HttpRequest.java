package dev.wirelab.netstack.http;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request (RFC 9112 section 3): method, request-target as sent, version, header fields, body.
 *
 * @param target the request-target exactly as on the request line ("/index.html?x=1", or an
 *               absolute-form URI, an authority-form, "*")
 */
public record HttpRequest(String method, String target, String version, HttpFields headers, byte[] body,
                          HttpFields trailers, Framing framing) implements HttpMessage {

    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        headers = headers.copy();
        body = body.clone();
        trailers = trailers.copy();
        Objects.requireNonNull(framing, "framing");
    }

    /** A request without a body. */
    public static HttpRequest of(String method, String target, HttpFields headers) {
        return new HttpRequest(method, target, "HTTP/1.1", headers, new byte[0], new HttpFields(), Framing.NONE);
    }

    @Override
    public HttpFields headers() {
        return headers.copy();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public HttpFields trailers() {
        return trailers.copy();
    }

    /** The path of an origin-form or absolute-form target, without the query ("/a/b.html"). */
    public String path() {
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.indexOf("://");
            if (scheme < 0) {
                return t; // "*" or authority-form
            }
            int slash = t.indexOf('/', scheme + 3);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpRequest r && r.method.equals(method) && r.target.equals(target)
                && r.version.equals(version) && r.headers.equals(headers) && Arrays.equals(r.body, body)
                && r.trailers.equals(trailers) && r.framing == framing;
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, target, version, headers, Arrays.hashCode(body), trailers, framing);
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version + " " + headers + " body=" + body.length + " bytes (" + framing + ")";
    }
}
