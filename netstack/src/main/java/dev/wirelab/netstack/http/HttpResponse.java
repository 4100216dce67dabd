package dev.wirelab.netstack.http;

import java.util.Arrays;
import java.util.Objects;

/** A response (RFC 9112 section 4): version, status code, reason phrase, header fields, body. */
public record HttpResponse(String version, int status, String reason, HttpFields headers, byte[] body,
                           HttpFields trailers, Framing framing) implements HttpMessage {

    public HttpResponse {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status code must have three digits: " + status);
        }
        headers = headers.copy();
        body = body.clone();
        trailers = trailers.copy();
        Objects.requireNonNull(framing, "framing");
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

    /** 1xx: an interim response; the final one follows (RFC 9110 section 15.2). */
    public boolean interim() {
        return status < 200;
    }

    /** The media type of Content-Type without parameters, lower case ("text/html"), or "" when absent. */
    public String mediaType() {
        return headers.get("Content-Type").map(MediaTypes::essence).orElse("");
    }

    /** "HTTP/1.1 200 OK". */
    public String statusLine() {
        return version + " " + status + (reason.isEmpty() ? "" : " " + reason);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpResponse r && r.version.equals(version) && r.status == status && r.reason.equals(reason)
                && r.headers.equals(headers) && Arrays.equals(r.body, body) && r.trailers.equals(trailers)
                && r.framing == framing;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, status, reason, headers, Arrays.hashCode(body), trailers, framing);
    }

    @Override
    public String toString() {
        return statusLine() + " " + headers + " body=" + body.length + " bytes (" + framing + ")";
    }
}
