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
 * the browser render the page and show its title.
 */
class HttpExercise {

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void theRequestAndTheResponseFramedByContentLength(Runtime runtime) {
        Journey.Lived journey = Journey.on(runtime);
        check(journey.trace(), journey.result("browse", 0));
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
