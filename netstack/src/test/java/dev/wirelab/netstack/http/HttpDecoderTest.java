package dev.wirelab.netstack.http;

import dev.wirelab.netstack.http.HttpMessage.Framing;
import dev.wirelab.netstack.wire.WireFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stream decoder on whole messages and on the same bytes split at every position (as Netty
 * tests its codecs): the result must not depend on how the bytes arrive. Bad input gives
 * WireFormatException and the status a server answers with.
 */
class HttpDecoderTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code bytes} in the given pieces; finishes (EOF) when asked. */
    static List<HttpMessage> feed(HttpDecoder d, byte[] bytes, int[] cuts, boolean eof) {
        List<HttpMessage> out = new ArrayList<>();
        int prev = 0;
        for (int c : cuts) {
            out.addAll(d.feed(bytes, prev, c - prev));
            prev = c;
        }
        out.addAll(d.feed(bytes, prev, bytes.length - prev));
        if (eof) {
            out.addAll(d.finish());
        }
        return out;
    }

    /** Decodes {@code bytes} whole, then split in two at every position, then one byte at a time: all equal. */
    static List<HttpMessage> everySplit(boolean requests, String[] methods, byte[] bytes, boolean eof) {
        List<HttpMessage> whole = feed(decoder(requests, methods), bytes, new int[0], eof);
        for (int i = 0; i <= bytes.length; i++) {
            List<HttpMessage> split = feed(decoder(requests, methods), bytes, new int[] {i}, eof);
            assertThat(split).as("split at %d", i).isEqualTo(whole);
        }
        int[] each = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            each[i] = i;
        }
        assertThat(feed(decoder(requests, methods), bytes, each, eof)).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    static HttpDecoder decoder(boolean requests, String[] methods) {
        HttpDecoder d = requests ? HttpDecoder.requests() : HttpDecoder.responses();
        for (String m : methods) {
            d.requestSent(m);
        }
        return d;
    }

    static final String[] NONE = {};

    @Test
    void pipelinedRequestsWithLengthChunkedAndNoBody() {
        byte[] in = b("GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: t\r\n\r\n"
                + "POST /form?a=1 HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 5\r\n\r\nhello"
                + "PUT /up HTTP/1.1\r\nHost: x:8080\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\nX-T: 1\r\n\r\n"
                + "GET /old HTTP/1.0\r\n\r\n");
        List<HttpMessage> m = everySplit(true, NONE, in, true);
        assertThat(m).hasSize(4);
        HttpRequest get = (HttpRequest) m.get(0);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.target()).isEqualTo("/");
        assertThat(get.headers().get("host")).contains("www.example.com");
        assertThat(get.framing()).isEqualTo(Framing.NONE);
        assertThat(get.keepAlive()).isTrue();
        HttpRequest post = (HttpRequest) m.get(1);
        assertThat(post.path()).isEqualTo("/form");
        assertThat(new String(post.body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(post.framing()).isEqualTo(Framing.LENGTH);
        HttpRequest put = (HttpRequest) m.get(2);
        assertThat(new String(put.body(), StandardCharsets.US_ASCII)).isEqualTo("Wikipedia in\r\n\r\nchunks.");
        assertThat(put.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(put.trailers()).isEqualTo(HttpFields.of("Expires", "never", "X-T", "1"));
        HttpRequest old = (HttpRequest) m.get(3);
        assertThat(old.version()).isEqualTo("HTTP/1.0");
        assertThat(old.keepAlive()).isFalse(); // RFC 9112 section 9.3: 1.0 closes unless keep-alive
    }

    @Test
    void responsesFramedEveryWay() {
        byte[] in = b("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nabc"
                + "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" // answers HEAD: no body
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "HTTP/1.1 200\r\nX-Old: a\r\n  folded\r\n\r\nuntil the end");
        List<HttpMessage> m = everySplit(false, new String[] {"POST", "HEAD", "GET", "GET", "GET", "GET"}, in, true);
        assertThat(m).extracting(x -> ((HttpResponse) x).status()).containsExactly(100, 200, 200, 204, 304, 200, 200);
        assertThat(((HttpResponse) m.get(0)).interim()).isTrue();
        assertThat(m.get(1).body()).isEqualTo(b("abc"));
        assertThat(((HttpResponse) m.get(1)).mediaType()).isEqualTo("text/plain");
        assertThat(m.get(2).body()).isEmpty();
        assertThat(m.get(2).framing()).isEqualTo(Framing.NONE);
        assertThat(m.get(4).body()).isEmpty();
        assertThat(m.get(5).body()).isEqualTo(b("abc"));
        HttpResponse last = (HttpResponse) m.get(6);
        assertThat(last.reason()).isEmpty();
        assertThat(last.headers().get("X-Old")).contains("a folded"); // RFC 9112 section 5.2: obs-fold -> SP
        assertThat(last.framing()).isEqualTo(Framing.CLOSE);
        assertThat(last.body()).isEqualTo(b("until the end"));
    }

    @Test
    void aChunkedResponseToHeadHasNoBodyAndTheNextOneFollows() {
        // RFC 9112 section 6.1: a HEAD response may say Transfer-Encoding: chunked; section 6.3 item 1: no body
        byte[] in = b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1c\r\n<!DOCTYPE html>\n<html>\n<pre>\r\n"
                + "10\r\n</pre></html>\n\u00e9.\r\n0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        List<HttpMessage> m = everySplit(false, new String[] {"HEAD", "GET", "GET"}, in, false);
        assertThat(m).hasSize(3);
        assertThat(m.get(0).framing()).isEqualTo(Framing.NONE);
        assertThat(m.get(0).body()).isEmpty();
        assertThat(m.get(1).framing()).isEqualTo(Framing.CHUNKED);
        assertThat(m.get(1).body()).isEqualTo(b("<!DOCTYPE html>\n<html>\n<pre></pre></html>\n\u00e9."));
        assertThat(m.get(2).body()).isEqualTo(b("ok"));
    }

    @Test
    void bareLfAndLeadingEmptyLinesAreTolerated() {
        List<HttpMessage> m = everySplit(true, NONE, b("\r\n\nGET /x HTTP/1.1\nHost: h\n\n"), false);
        assertThat(m).hasSize(1);
        assertThat(((HttpRequest) m.get(0)).target()).isEqualTo("/x");
    }

    @Test
    void nothingComesOutOfAnIncompleteMessageAndEofSaysWhere() {
        HttpDecoder d = HttpDecoder.requests();
        assertThat(d.feed(b("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"))).isEmpty();
        assertThat(d.inMessage()).isTrue();
        assertThat(d.remaining()).isEqualTo(7);
        assertThatThrownBy(d::finish).isInstanceOf(WireFormatException.class)
                .hasMessage("http: connection closed with 7 body octets still to come");
        HttpDecoder idle = HttpDecoder.responses();
        assertThat(idle.inMessage()).isFalse();
        assertThat(idle.finish()).isEmpty();
    }

    @ParameterizedTest(name = "{2}: {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\n\\r\\n                                   | 400 | HTTP/1.1 request without a Host header field",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n          | 400 | more than one Host header field",
        "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                      | 400 | invalid Host header field: 'a b'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\r\\n b\\r\\n\\r\\n        | 400 | obsolete line folding (obs-fold) in the header section",
        "GET / HTTP/1.1\\r\\nHost : h\\r\\n\\r\\n                       | 400 | whitespace between field name 'Host' and colon",
        "GET / HTTP/1.1\\r\\nHost h\\r\\n\\r\\n                         | 400 | field line without a colon: 'Host h'",
        "GET / HTTP/1.1\\r\\nHo(st: h\\r\\n\\r\\n                       | 400 | field name is not a token: 'Ho(st'",
        "GET / HTTP/1.1\\r\\nHost: h\\x00\\r\\n\\r\\n                   | 400 | control octet 0x0 in a field value",
        "GET / HTTP/1.1\\rHost: h\\r\\n\\r\\n                           | 400 | bare CR in request-line",
        "GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                       | 400 | invalid octet 0x20 in the request-target",
        "GET /\\r\\n\\r\\n                                             | 400 | request-line is not 'method SP request-target SP HTTP-version': 'GET /'",
        "G@T / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n                        | 400 | method is not a token: 'G@T'",
        "GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n                        | 505 | HTTP major version 2 is not supported",
        "GET / http/1.1\\r\\nHost: h\\r\\n\\r\\n                        | 400 | not an HTTP-version: 'http/1.1'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1x\\r\\n\\r\\n | 400 | invalid Content-Length: '1x'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1, 2\\r\\n\\r\\n | 400 | conflicting Content-Length values 1 and 2",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n | 400 | invalid Content-Length: '-1'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n | 400 | both Transfer-Encoding and Content-Length",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 400 | Transfer-Encoding without chunked as the final coding",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501 | transfer coding 'gzip' is not implemented",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n | 400 | chunked transfer coding applied more than once",
        "GET / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n    | 400 | Transfer-Encoding in an HTTP/1.0 request",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n | 400 | chunk-size is not hexadecimal: 'zz'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1 x\\r\\n | 400 | junk after chunk-size: '1 x'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nab\\r\\n | 400 | chunk data longer than its chunk-size",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1000000000000000\\r\\n | 400 | chunk-size too large: '1000000000000000'",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n x: y\\r\\n\\r\\n | 400 | obsolete line folding (obs-fold) in the trailer section",
        "\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n               | 400 | too many empty lines before the request-line",
    })
    void badRequestsAreRejectedPrecisely(String input, int status, String message) {
        byte[] bytes = b(input.strip().replace("\\r", "\r").replace("\\n", "\n").replace("\\x00", "\u0000"));
        // the same verdict whatever the split
        for (int cut = 0; cut <= bytes.length; cut++) {
            HttpDecoder d = HttpDecoder.requests();
            int at = cut;
            assertThatThrownBy(() -> {
                d.feed(bytes, 0, at);
                d.feed(bytes, at, bytes.length - at);
            }).isInstanceOf(WireFormatException.class).hasMessage("http: " + message);
            assertThat(d.errorStatus()).isEqualTo(status);
            assertThat(d.failed()).isTrue();
            assertThatThrownBy(() -> d.feed(b("GET / HTTP/1.1\r\n"))).isInstanceOf(WireFormatException.class);
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 2000 OK\\r\\n\\r\\n                    | status-code is not three digits: '2000 OK'",
        "HTTP/1.1 20 OK\\r\\n\\r\\n                      | status-code is not three digits: '20 OK'",
        "HTTP/1.1 099 Odd\\r\\n\\r\\n                    | status-code 099 is below 100",
        "HTTP/1.1\\r\\n\\r\\n                            | status-line is not 'HTTP-version SP status-code SP reason-phrase': 'HTTP/1.1'",
        "ICY 200 OK\\r\\n\\r\\n                          | not an HTTP-version: 'ICY'",
        "\\r\\nHTTP/1.1 200 OK\\r\\n\\r\\n                | empty line instead of a status-line",
        "HTTP/1.1 200 \u0001\\r\\n\\r\\n                | control octet in the reason-phrase",
        "HTTP/1.1 200 OK\\r\\n folded\\r\\n\\r\\n        | obsolete line folding (obs-fold) in the header section",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 5, 6\\r\\n\\r\\n | conflicting Content-Length values 5 and 6",
    })
    void badResponsesAreRejected(String input, String message) {
        byte[] bytes = b(input.strip().replace("\\r", "\r").replace("\\n", "\n"));
        HttpDecoder d = HttpDecoder.responses();
        assertThatThrownBy(() -> d.feed(bytes)).isInstanceOf(WireFormatException.class).hasMessage("http: " + message);
    }

    @Test
    void limitsGive414And431And413() {
        HttpDecoder.Limits small = new HttpDecoder.Limits(64, 64, 128, 3, 10);
        HttpDecoder d = HttpDecoder.requests(small);
        assertThatThrownBy(() -> d.feed(b("GET /" + "a".repeat(80) + " HTTP/1.1\r\n"))).isInstanceOf(WireFormatException.class)
                .hasMessage("http: request-line longer than 64 octets");
        assertThat(d.errorStatus()).isEqualTo(414);

        HttpDecoder h = HttpDecoder.requests(small);
        assertThatThrownBy(() -> h.feed(b("GET / HTTP/1.1\r\nX: " + "v".repeat(70) + "\r\n")))
                .hasMessage("http: field line longer than 64 octets");
        assertThat(h.errorStatus()).isEqualTo(431);

        HttpDecoder n = HttpDecoder.requests(small);
        assertThatThrownBy(() -> n.feed(b("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")))
                .hasMessage("http: more than 3 field lines");
        assertThat(n.errorStatus()).isEqualTo(431);

        HttpDecoder s = HttpDecoder.requests(small);
        assertThatThrownBy(() -> s.feed(b("GET / HTTP/1.1\r\n" + ("A: " + "x".repeat(40) + "\r\n").repeat(3))))
                .hasMessage("http: header section longer than 128 octets");
        assertThat(s.errorStatus()).isEqualTo(431);

        HttpDecoder body = HttpDecoder.requests(small);
        assertThatThrownBy(() -> body.feed(b("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n")))
                .hasMessage("http: Content-Length 11 exceeds 10 octets");
        assertThat(body.errorStatus()).isEqualTo(413);

        HttpDecoder chunks = HttpDecoder.requests(small);
        assertThatThrownBy(() -> chunks.feed(b("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n12345678\r\n8\r\n"))).hasMessage("http: chunked body longer than 10 octets");
        assertThat(chunks.errorStatus()).isEqualTo(413);

        HttpDecoder close = HttpDecoder.responses(small);
        assertThatThrownBy(() -> close.feed(b("HTTP/1.1 200 OK\r\n\r\n" + "z".repeat(11))))
                .hasMessage("http: body longer than 10 octets");
    }

    @Test
    void writerRefusesWhatWouldSplitAMessage() {
        assertThatThrownBy(() -> HttpWriter.requestHead("GET", "/", "HTTP/1.1", HttpFields.of("X", "a\r\nEvil: 1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpWriter.requestHead("GET", "/a b", "HTTP/1.1", new HttpFields()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpWriter.requestHead("G T", "/", "HTTP/1.1", new HttpFields()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpWriter.responseHead("HTTP/1.1", 200, "OK", HttpFields.of("Bad Name", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writerOutputIsWhatTheRfcShows() {
        HttpRequest r = new HttpRequest("POST", "/x", "HTTP/1.1", HttpFields.of("Host", "h", "Transfer-Encoding", "chunked"),
                b("abc"), HttpFields.of("T", "1"), Framing.CHUNKED);
        assertThat(new String(HttpWriter.request(r), StandardCharsets.ISO_8859_1))
                .isEqualTo("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n");
        assertThat(new String(HttpWriter.responseHead("HTTP/1.1", 404, HttpWriter.reason(404),
                HttpFields.of("Content-Length", "0")), StandardCharsets.ISO_8859_1))
                .isEqualTo("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
}
