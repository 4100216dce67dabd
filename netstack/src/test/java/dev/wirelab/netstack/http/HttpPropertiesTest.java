package dev.wirelab.netstack.http;

import dev.wirelab.netstack.http.HttpMessage.Framing;
import dev.wirelab.netstack.wire.WireFormatException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the codec: whatever request or response the writer produces, the decoder gives it
 * back, however the bytes are cut into pieces and however many messages are pipelined; and no
 * byte sequence makes the decoder throw anything but WireFormatException.
 */
class HttpPropertiesTest {

    static final String TCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.strings().withChars(TCHARS.toCharArray()).ofMinLength(1).ofMaxLength(12);
    }

    /** Field values: visible ASCII, obs-text, inner SP/HTAB; no edge whitespace (the decoder strips OWS). */
    @Provide
    Arbitrary<String> values() {
        Arbitrary<Character> inner = Arbitraries.oneOf(Arbitraries.chars().range('!', '~'),
                Arbitraries.chars().range('\u0080', '\u00ff'), Arbitraries.of(' ', '\t'));
        Arbitrary<Character> edge = Arbitraries.oneOf(Arbitraries.chars().range('!', '~'),
                Arbitraries.chars().range('\u0080', '\u00ff'));
        return Combinators.combine(edge, inner.list().ofMaxSize(20), edge)
                .as((a, mid, z) -> {
                    StringBuilder b = new StringBuilder().append(a);
                    mid.forEach(b::append);
                    return b.append(z).toString();
                }).injectDuplicates(0.1).edgeCases(e -> e.add(""));
    }

    /** Extra header fields (never framing fields or Host: those the generators set). */
    @Provide
    Arbitrary<HttpFields> fields() {
        return Combinators.combine(tokens().filter(t -> !t.equalsIgnoreCase("host")
                                && !t.equalsIgnoreCase("content-length") && !t.equalsIgnoreCase("transfer-encoding")), values())
                .as(HttpFields.Field::new).list().ofMaxSize(8)
                .map(l -> {
                    HttpFields f = new HttpFields();
                    l.forEach(x -> f.add(x.name(), x.value()));
                    return f;
                });
    }

    @Provide
    Arbitrary<String> targets() {
        return Arbitraries.strings().withChars("abcxyz019/-._~%?=&+".toCharArray()).ofMaxLength(30).map(s -> "/" + s);
    }

    @Provide
    Arbitrary<HttpRequest> requests() {
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(tokens(), targets(), fields(), bodies, Arbitraries.of(Framing.values()), fields())
                .as((method, target, headers, body, framing, trailers) -> {
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
                });
    }

    @Provide
    Arbitrary<List<HttpRequest>> requestLists() {
        return requests().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<HttpResponse>> responseLists() {
        return responses().list().ofMinSize(1).ofMaxSize(4);
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

    @Property(tries = 300)
    void pipelinedRequestsComeBackWhateverTheCuts(@ForAll("requestLists") List<HttpRequest> rs,
                                                    @ForAll long seed) {
        Random rnd = new Random(seed);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (HttpRequest r : rs) {
            all.writeBytes(encode(r, rnd));
        }
        List<HttpMessage> back = feedInPieces(HttpDecoder.requests(), all.toByteArray(), rnd);
        assertThat(back).isEqualTo(rs);
    }

    @Provide
    Arbitrary<HttpResponse> responses() {
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<String> reasons = Arbitraries.strings().withChars("abcOK Found".toCharArray()).ofMaxLength(12)
                .map(String::strip);
        return Combinators.combine(Arbitraries.integers().between(200, 599), reasons, fields(), bodies,
                        Arbitraries.of(Framing.LENGTH, Framing.CHUNKED))
                .as((status, reason, headers, body, framing) -> {
                    HttpFields h = headers.copy();
                    byte[] b = status == 204 || status == 304 ? new byte[0] : body;
                    Framing fr = status == 204 || status == 304 ? Framing.NONE : framing;
                    if (fr == Framing.LENGTH) {
                        h.add("Content-Length", String.valueOf(b.length));
                    } else if (fr == Framing.CHUNKED) {
                        h.add("Transfer-Encoding", "chunked");
                    }
                    return new HttpResponse("HTTP/1.1", status, reason, h, b, new HttpFields(), fr);
                });
    }

    @Property(tries = 300)
    void responsesComeBackWhateverTheCuts(@ForAll("responseLists") List<HttpResponse> rs,
                                           @ForAll long seed) {
        Random rnd = new Random(seed);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        HttpDecoder d = HttpDecoder.responses();
        for (HttpResponse r : rs) {
            all.writeBytes(HttpWriter.response(r));
            d.requestSent("GET");
        }
        assertThat(feedInPieces(d, all.toByteArray(), rnd)).isEqualTo(rs);
    }

    @Property(tries = 200)
    void aResponseToHeadHasNoBodyWhateverItsContentLength(@ForAll @IntRange(max = 100_000) int length,
                                                          @ForAll long seed) {
        byte[] bytes = ("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\nHTTP/1.1 404 Not Found\r\n"
                + "Content-Length: 2\r\n\r\nno").getBytes();
        HttpDecoder d = HttpDecoder.responses();
        d.requestSent("HEAD");
        d.requestSent("GET");
        List<HttpMessage> m = feedInPieces(d, bytes, new Random(seed));
        assertThat(m).extracting(x -> ((HttpResponse) x).status()).containsExactly(200, 404);
        assertThat(m.get(0).body()).isEmpty();
        assertThat(m.get(1).body()).isEqualTo("no".getBytes());
    }

    /** Byte soup biased towards HTTP's own tokens: only WireFormatException may come out, and once failed it stays so. */
    @Property(tries = 2000)
    void noInputCrashesTheDecoder(@ForAll("soup") byte[] bytes, @ForAll boolean requests, @ForAll long seed) {
        HttpDecoder d = requests ? HttpDecoder.requests() : HttpDecoder.responses();
        Random rnd = new Random(seed);
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

    @Provide
    Arbitrary<byte[]> soup() {
        Arbitrary<String> pieces = Arbitraries.of("GET ", "HTTP/1.1", "HTTP/1.0 ", " 200 OK", "\r\n", "\n", "\r", " ", "\t",
                ":", "Host: h", "Content-Length: ", "Transfer-Encoding: chunked", "0", "5", "ff", ";x=y", "abc", "\u0000",
                "\u00ff", "Connection: close", "/", "?", "HTTP/2.0", "-1", "99999999999999999999");
        return pieces.list().ofMaxSize(40).map(l -> String.join("", l).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
