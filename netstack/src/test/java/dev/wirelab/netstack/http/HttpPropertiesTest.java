package dev.wirelab.netstack.http;

import dev.wirelab.netstack.http.HttpMessage.Framing;
import dev.wirelab.netstack.testing.Gen;
import dev.wirelab.netstack.wire.WireFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the codec: whatever request or response the writer produces, the decoder gives it
 * back, however the bytes are cut into pieces and however many messages are pipelined; and no
 * byte sequence makes the decoder throw anything but WireFormatException.
 */
class HttpPropertiesTest {

    static final String TCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    /**
     * The message generators of one try. A field value repeats an earlier one of the same try one
     * time in ten (duplicate fields and values), and is empty one time in {@value Gen#EDGE_ONE_IN}.
     */
    static final class Messages {
        private final Random rnd;
        private final List<String> values = new ArrayList<>();

        Messages(Random rnd) {
            this.rnd = rnd;
        }

        String token() {
            return Gen.string(rnd, 1, 12, TCHARS);
        }

        /** Field values: visible ASCII, obs-text, inner SP/HTAB; no edge whitespace (the decoder strips OWS). */
        String value() {
            if (!values.isEmpty() && rnd.nextInt(10) == 0) {
                return Gen.oneOf(rnd, values);
            }
            String v;
            if (rnd.nextInt(Gen.EDGE_ONE_IN) == 0) {
                v = "";
            } else {
                StringBuilder b = new StringBuilder().append(edgeChar());
                Gen.list(rnd, 0, 20, r -> innerChar()).forEach(b::append);
                v = b.append(edgeChar()).toString();
            }
            values.add(v);
            return v;
        }

        private char edgeChar() {
            return rnd.nextBoolean() ? Gen.charBetween(rnd, '!', '~') : Gen.charBetween(rnd, '\u0080', '\u00ff');
        }

        private char innerChar() {
            return switch (rnd.nextInt(3)) {
                case 0 -> Gen.charBetween(rnd, '!', '~');
                case 1 -> Gen.charBetween(rnd, '\u0080', '\u00ff');
                default -> Gen.oneOf(rnd, ' ', '\t');
            };
        }

        /** Extra header fields (never framing fields or Host: those the generators set). */
        HttpFields fields() {
            HttpFields f = new HttpFields();
            int n = Gen.size(rnd, 0, 8);
            for (int i = 0; i < n; i++) {
                String name;
                do {
                    name = token();
                } while (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
                        || name.equalsIgnoreCase("transfer-encoding"));
                f.add(name, value());
            }
            return f;
        }

        String target() {
            return "/" + Gen.string(rnd, 0, 30, "abcxyz019/-._~%?=&+");
        }

        HttpRequest request() {
            String method = token();
            String target = target();
            HttpFields headers = fields();
            byte[] body = Gen.bytes(rnd, 300);
            Framing framing = Gen.oneOf(rnd, Framing.values());
            return HttpPropertiesTest.request(method, target, headers, body, framing, fields());
        }

        HttpResponse response() {
            int status = Gen.between(rnd, 200, 599);
            String reason = Gen.string(rnd, 0, 12, "abcOK Found").strip();
            HttpFields headers = fields();
            byte[] body = Gen.bytes(rnd, 300);
            return HttpPropertiesTest.response(status, reason, headers, body, Gen.oneOf(rnd, Framing.LENGTH, Framing.CHUNKED));
        }
    }

    /** A request as the writer frames it: a length, or chunks with trailers, or (NONE, CLOSE) no body. */
    static HttpRequest request(String method, String target, HttpFields headers, byte[] body, Framing framing,
                               HttpFields trailers) {
        HttpFields h = HttpFields.of("Host", "www.example.com");
        headers.asList().forEach(f -> h.add(f.name(), f.value()));
        byte[] b = body;
        HttpFields t = new HttpFields();
        Framing fr = framing;
        switch (framing) {
            case LENGTH -> h.add("Content-Length", String.valueOf(b.length));
            case CHUNKED -> {
                h.add("Transfer-Encoding", "chunked");
                t = trailers;
            }
            default -> {
                b = new byte[0];
                fr = Framing.NONE;
            }
        }
        return new HttpRequest(method, target, "HTTP/1.1", h, b, t, fr);
    }

    /** A response as the writer frames it (204 and 304 without a body). */
    static HttpResponse response(int status, String reason, HttpFields headers, byte[] body, Framing framing) {
        HttpFields h = headers.copy();
        byte[] b = status == 204 || status == 304 ? new byte[0] : body;
        Framing fr = status == 204 || status == 304 ? Framing.NONE : framing;
        if (fr == Framing.LENGTH) {
            h.add("Content-Length", String.valueOf(b.length));
        } else if (fr == Framing.CHUNKED) {
            h.add("Transfer-Encoding", "chunked");
        }
        return new HttpResponse("HTTP/1.1", status, reason, h, b, new HttpFields(), fr);
    }

    /** Chunked encoding with chunk boundaries of our choosing (the writer makes one chunk). */
    static byte[] encode(HttpRequest r, Random rnd) {
        if (r.framing() != Framing.CHUNKED) {
            return HttpWriter.request(r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HttpWriter.requestHead(r.method(), r.target(), r.version(), r.headers()));
        byte[] body = r.body();
        int i = 0;
        while (i < body.length) {
            int n = 1 + rnd.nextInt(Math.min(64, body.length - i));
            out.writeBytes(HttpWriter.chunk(body, i, n));
            i += n;
        }
        out.writeBytes(HttpWriter.lastChunk(r.trailers()));
        return out.toByteArray();
    }

    /** Cuts {@code bytes} at random positions and feeds the pieces. */
    static List<HttpMessage> feedInPieces(HttpDecoder d, byte[] bytes, Random rnd) {
        List<HttpMessage> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int n = Math.min(bytes.length - i, rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(200) : 1 + rnd.nextInt(8));
            out.addAll(d.feed(bytes, i, n));
            i += n;
        }
        return out;
    }

    static LongStream seeds200() {
        return Gen.seeds(200);
    }

    static LongStream seeds300() {
        return Gen.seeds(300);
    }

    static LongStream seeds2000() {
        return Gen.seeds(2000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds300")
    void pipelinedRequestsComeBackWhateverTheCuts(long seed) {
        Random rnd = Gen.random(seed);
        Messages m = new Messages(rnd);
        checkPipelinedRequests(Gen.list(rnd, 1, 4, r -> m.request()), rnd);
    }

    /** The edge cases of each framing: the least request, and four of the most (empty and repeated values, 300-byte bodies). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Framing.class)
    void pipelinedRequestsComeBackWhateverTheCutsAtTheEdges(Framing framing) {
        HttpRequest least = request("A", "/", new HttpFields(), new byte[0], framing, new HttpFields());
        byte[] body = new byte[300];
        Arrays.fill(body, (byte) 0xFF);
        HttpFields odd = HttpFields.of("a", "", "a", "", TCHARS.substring(TCHARS.length() - 12), "\u00ff\t \u0080", "b", "!".repeat(22));
        HttpRequest most = request(TCHARS.substring(0, 12), "/" + "%?".repeat(15), odd, body, framing,
                HttpFields.of("t", "", "t", "~"));
        for (long seed = 0; seed < 10; seed++) {
            checkPipelinedRequests(List.of(least), Gen.random(seed));
            checkPipelinedRequests(List.of(most, least, most, most), Gen.random(seed));
        }
    }

    private static void checkPipelinedRequests(List<HttpRequest> rs, Random rnd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (HttpRequest r : rs) {
            all.writeBytes(encode(r, rnd));
        }
        List<HttpMessage> back = feedInPieces(HttpDecoder.requests(), all.toByteArray(), rnd);
        assertThat(back).isEqualTo(rs);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds300")
    void responsesComeBackWhateverTheCuts(long seed) {
        Random rnd = Gen.random(seed);
        Messages m = new Messages(rnd);
        checkResponses(Gen.list(rnd, 1, 4, r -> m.response()), rnd);
    }

    /** The edge cases: the ends of the status range, the bodiless statuses, empty and 300-byte bodies, both framings. */
    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {200, 201, 204, 304, 598, 599})
    void responsesComeBackWhateverTheCutsAtTheEdges(int status) {
        byte[] body = new byte[300];
        Arrays.fill(body, (byte) 0x0D);
        List<HttpResponse> rs = new ArrayList<>();
        for (Framing framing : List.of(Framing.LENGTH, Framing.CHUNKED)) {
            rs.add(response(status, "", new HttpFields(), new byte[0], framing));
            rs.add(response(status, "OK Found abc", HttpFields.of("a", "", "a", ""), body, framing));
        }
        for (long seed = 0; seed < 10; seed++) {
            checkResponses(rs, Gen.random(seed));
            checkResponses(rs.subList(0, 1), Gen.random(seed));
        }
    }

    private static void checkResponses(List<HttpResponse> rs, Random rnd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        HttpDecoder d = HttpDecoder.responses();
        for (HttpResponse r : rs) {
            all.writeBytes(HttpWriter.response(r));
            d.requestSent("GET");
        }
        assertThat(feedInPieces(d, all.toByteArray(), rnd)).isEqualTo(rs);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds200")
    void aResponseToHeadHasNoBodyWhateverItsContentLength(long seed) {
        Random rnd = Gen.random(seed);
        checkHead(Gen.between(rnd, 0, 100_000), rnd);
    }

    @ParameterizedTest(name = "Content-Length {0}")
    @ValueSource(ints = {0, 1, 2, 99_999, 100_000})
    void aResponseToHeadHasNoBodyWhateverItsContentLengthAtTheEdges(int length) {
        for (long seed = 0; seed < 5; seed++) {
            checkHead(length, Gen.random(seed));
        }
    }

    private static void checkHead(int length, Random rnd) {
        byte[] bytes = ("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\nHTTP/1.1 404 Not Found\r\n"
                + "Content-Length: 2\r\n\r\nno").getBytes();
        HttpDecoder d = HttpDecoder.responses();
        d.requestSent("HEAD");
        d.requestSent("GET");
        List<HttpMessage> m = feedInPieces(d, bytes, rnd);
        assertThat(m).extracting(x -> ((HttpResponse) x).status()).containsExactly(200, 404);
        assertThat(m.get(0).body()).isEmpty();
        assertThat(m.get(1).body()).isEqualTo("no".getBytes());
    }

    /** Byte soup biased towards HTTP's own tokens: only WireFormatException may come out, and once failed it stays so. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds2000")
    void noInputCrashesTheDecoder(long seed) {
        Random rnd = Gen.random(seed);
        checkNoCrash(soup(rnd), rnd.nextBoolean(), rnd);
    }

    /** The edge cases: no bytes at all, and every piece of the soup alone. */
    @ParameterizedTest(name = "requests {0}")
    @ValueSource(booleans = {true, false})
    void noInputCrashesTheDecoderAtTheEdges(boolean requests) {
        checkNoCrash(new byte[0], requests, Gen.random(0));
        for (String piece : SOUP) {
            checkNoCrash(piece.getBytes(StandardCharsets.ISO_8859_1), requests, Gen.random(piece.hashCode()));
        }
    }

    private static void checkNoCrash(byte[] bytes, boolean requests, Random rnd) {
        HttpDecoder d = requests ? HttpDecoder.requests() : HttpDecoder.responses();
        try {
            feedInPieces(d, bytes, rnd);
            d.finish();
        } catch (WireFormatException e) {
            assertThat(e.protocol()).isEqualTo("http");
            assertThat(d.failed()).isTrue();
            if (requests) {
                assertThat(d.errorStatus()).isIn(400, 413, 414, 431, 501, 505);
            }
        }
    }

    static final List<String> SOUP = List.of("GET ", "HTTP/1.1", "HTTP/1.0 ", " 200 OK", "\r\n", "\n", "\r", " ", "\t",
            ":", "Host: h", "Content-Length: ", "Transfer-Encoding: chunked", "0", "5", "ff", ";x=y", "abc", "\u0000",
            "\u00ff", "Connection: close", "/", "?", "HTTP/2.0", "-1", "99999999999999999999");

    static byte[] soup(Random rnd) {
        return String.join("", Gen.list(rnd, 0, 40, r -> Gen.oneOf(r, SOUP))).getBytes(StandardCharsets.ISO_8859_1);
    }
}
