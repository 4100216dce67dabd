package dev.wirelab.netstack.http;

/** A request or a response, as the decoder delivers it (body already de-chunked). */
public sealed interface HttpMessage permits HttpRequest, HttpResponse {

    /** How the message body was delimited (RFC 9112 section 6.3). */
    enum Framing {
        /** No body: a request without Content-Length or Transfer-Encoding, HEAD/1xx/204/304 responses. */
        NONE,
        /** Content-Length. */
        LENGTH,
        /** Transfer-Encoding: chunked. */
        CHUNKED,
        /** A response read until the server closed the connection. */
        CLOSE
    }

    /** "HTTP/1.1". */
    String version();

    HttpFields headers();

    byte[] body();

    /** Trailer fields of a chunked body (empty otherwise). */
    HttpFields trailers();

    Framing framing();

    /** 1 in "HTTP/1.1" (the decoder only gives major version 1). */
    default int minorVersion() {
        return version().charAt(version().length() - 1) - '0';
    }

    /**
     * Whether the connection stays open after this message (RFC 9112 section 9.3): "close" in
     * Connection ends it; HTTP/1.1 is persistent by default; HTTP/1.0 only with "keep-alive".
     */
    default boolean keepAlive() {
        if (headers().hasToken("Connection", "close")) {
            return false;
        }
        if (minorVersion() >= 1) {
            return true;
        }
        return headers().hasToken("Connection", "keep-alive");
    }
}
