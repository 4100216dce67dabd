package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.wirelab.exercises.Journey.PC1;
import static dev.wirelab.exercises.Journey.WEB;
import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 10, HTTP. What it teaches: HTTP/1.1 is text over the TCP byte stream; the response's
 * Content-Length says where its body ends (RFC 9112 section 6), and Content-Type (text/html) makes
 * the browser render the page and show its title. A body the server makes as it goes (a directory
 * listing) has no length known in advance: it is sent in chunks, each preceded by its size in hex,
 * ended by a chunk of size 0 (Transfer-Encoding: chunked, RFC 9112 section 7.1), and the client
 * puts the pieces back together.
 */
class HttpExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void theRequestAndTheResponseFramedByContentLength(Runtime runtime) {
        Journey.Lived journey = Journey.on(runtime);
        check(journey.trace(), journey.result("browse", 0));
    }

    static final String SITE = "10.0.0.80";

    /** A web server with autoindex on and a directory without index.html. */
    static final String LISTING_TOPOLOGY = """
            name: chunked
            segments: [lan]
            nodes:
              client:
                kind: host
                interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
              site:
                kind: web
                interfaces: { eth0: { segment: lan, address: 10.0.0.80/24 } }
                httpd: "-q --autoindex"
                files:
                  /var/www/notes/arp.txt: "who has 10.0.0.1? tell 10.0.0.10\\n"
                  /var/www/notes/dns.txt: "www.example.com. A 93.184.216.34\\n"
                  /var/www/notes/tcp.txt: "SYN, SYN-ACK, ACK\\n"
                  /var/www/notes/udp.txt: "no handshake\\n"
            links:
              lan: { delay: 1ms }
            """;

    record Listing(Trace trace, ExecResult listing, ExecResult file) {
    }

    static Listing listing(Runtime runtime, String topology) {
        try (var run = Journey.start(runtime, topology, 10)) {
            run.awaitEvent("site", "http", "server_start", java.time.Duration.ofSeconds(30));
            ExecResult listing = run.exec("client", "curl -s http://" + SITE + "/notes/");
            ExecResult file = run.exec("client", "curl -s http://" + SITE + "/notes/tcp.txt");
            return new Listing(run.trace(), listing, file);
        }
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void aGeneratedBodyGoesInChunksAFileWithItsLength(Runtime runtime) {
        Listing l = listing(runtime, LISTING_TOPOLOGY);
        checkChunked(l.trace(), l.listing(), l.file());
    }

    static void checkChunked(Trace trace, ExecResult listing, ExecResult file) {
        // What curl shows is the listing put back together: every file of the directory.
        assertThat(listing.text()).as(listing.toString()).contains("Index of /notes/")
                .contains("<a href=\"arp.txt\">arp.txt</a>", "<a href=\"udp.txt\">udp.txt</a>");
        assertThat(file.text()).isEqualTo("SYN, SYN-ACK, ACK");
        assertThat(trace).has(Events.of("site", "http", "response_sent").with("framing", "CHUNKED"))
                .has(Events.of("site", "http", "response_sent").with("framing", "LENGTH"));
        // On the wire: a head without Content-Length, then size lines in hex, each chunk, a last chunk of 0.
        String first = responseBytes(trace, 0);
        String head = first.substring(0, first.indexOf("\r\n\r\n"));
        assertThat(head).as("the listing's response head").containsIgnoringCase("Transfer-Encoding: chunked")
                .doesNotContainIgnoringCase("Content-Length");
        String body = first.substring(head.length() + 4);
        StringBuilder decoded = new StringBuilder();
        int chunks = 0;
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            assertThat(eol).as("a chunk-size line at byte " + at + " of the body:\n" + body).isPositive();
            int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            at = eol + 2;
            if (size == 0) {
                break;
            }
            chunks++;
            decoded.append(body, at, at + size);
            at += size;
            assertThat(body.substring(at, at + 2)).as("CRLF after chunk " + chunks).isEqualTo("\r\n");
            at += 2;
        }
        assertThat(body.substring(at)).as("after the last chunk: no trailers, the final CRLF").isEqualTo("\r\n");
        assertThat(chunks).as("chunks of the listing").isGreaterThanOrEqualTo(2);
        assertThat(decoded.toString().strip()).as("the chunks joined are what curl showed").isEqualTo(listing.text().strip());
        // The file's response says its length instead.
        String second = responseBytes(trace, 1);
        assertThat(second).containsIgnoringCase("Content-Length: " + "SYN, SYN-ACK, ACK\n".length())
                .doesNotContainIgnoringCase("Transfer-Encoding");
    }

    /** The bytes the site sent on the {@code index}-th connection (in order of first data), joined in sequence order. */
    static String responseBytes(Trace trace, int index) {
        java.util.Map<Integer, java.util.TreeMap<Long, byte[]>> byPort = new java.util.LinkedHashMap<>();
        for (var f : trace.frames(Frames.tcpData().on("lan").from(SITE))) {
            byPort.computeIfAbsent(f.tcp().destinationPort(), p -> new java.util.TreeMap<>())
                    .putIfAbsent(f.tcp().sequence(), f.tcp().payload());
        }
        var segments = new java.util.ArrayList<>(byPort.values()).get(index);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        segments.values().forEach(out::writeBytes);
        return out.toString(StandardCharsets.UTF_8);
    }

    static void check(Trace trace, ExecResult browse) {
        assertThat(browse.output()).as(browse.toString()).contains("page title: Example Domain")
                .anyMatch(l -> l.startsWith("browse: Content-Type: text/html"));
        assertThat(trace).containsSubsequence(
                Events.of(PC1, "http", "request_sent"),
                Frames.http("GET / HTTP/1.1").on("dc").to(WEB),
                Events.of("web", "http", "request_received"),
                Events.of("web", "http", "response_sent"),
                Frames.http("HTTP/1.1 200").on("home").from(WEB),
                Events.of(PC1, "http", "response_received"));
        // The response's header names its body's length, and the body that followed has that length.
        List<String> head = headerLines(trace);
        assertThat(head).as("response header").anyMatch(l -> l.equalsIgnoreCase("Content-Type: text/html; charset=utf-8"));
        String length = head.stream().filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Content-Length in " + head)).substring(15).trim();
        assertThat(bodyBytes(trace)).as("body bytes after the header").isEqualTo(Integer.parseInt(length));
    }

    /** The first response's header lines, from the web server's bytes on its own segment. */
    static List<String> headerLines(Trace trace) {
        byte[] data = trace.first(Frames.http("HTTP/1.1 200").on("dc").from(WEB)).orElseThrow().tcp().payload();
        String text = new String(data, StandardCharsets.ISO_8859_1);
        return List.of(text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n"));
    }

    /** Bytes of the first response's body: what its segments carried after the header, until the server's FIN. */
    static int bodyBytes(Trace trace) {
        var segments = trace.frames(Frames.tcpData().on("dc").from(WEB));
        var first = trace.first(Frames.http("HTTP/1.1 200").on("dc").from(WEB)).orElseThrow();
        int port = first.tcp().destinationPort();
        long headerEnd = first.tcp().sequence() + new String(first.tcp().payload(), StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        long max = headerEnd;
        for (var s : segments) {
            if (s.tcp().destinationPort() == port) {
                max = Math.max(max, s.tcp().sequence() + s.tcp().payloadLength());
            }
        }
        return (int) (max - headerEnd);
    }
}
