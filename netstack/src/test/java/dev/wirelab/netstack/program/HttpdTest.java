package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.socket.Kernel;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * httpd in each server pattern serving concurrent keep-alive clients, and its protocol behaviour
 * seen from a raw socket client: HEAD, pipelining, HTTP/1.0, 400 for bad requests, the keep-alive
 * idle timeout (the server closes first) and 408 for a request left half-sent; and --autoindex:
 * directory listings sent chunked to HTTP/1.1 clients and close-delimited to HTTP/1.0 ones, read
 * back from the bytes the server put on the wire.
 */
class HttpdTest {

    static final SockAddr WEB = SockAddr.of("10.0.2.80", 80);

    @ParameterizedTest
    @ValueSource(strings = {"single", "threads", "reuseport", "epoll", "uring"})
    void everyPatternServesConcurrentKeepAliveClients(String mode) {
        try (WebLab lab = new WebLab()) {
            int clients = 5;
            WebLab.Run server = lab.start("web", "httpd --mode " + mode + (mode.equals("single") ? "" : " --workers 2")
                    + " -k 1 -n " + clients);
            lab.advance(Duration.ofMillis(1));
            List<WebLab.Run> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                // as in curl, the -o goes with the first URL
                runs.add(lab.start("client", "curl -s -w '%{http_code}\\n' -o /tmp/" + i + ".png http://www.example.com/logo.png"
                        + " http://www.example.com/hello.txt http://www.example.com/"));
            }
            lab.lab.runUntil(() -> runs.stream().allMatch(r -> r.exit().isDone()) && server.exit().isDone(),
                    Duration.ofSeconds(60));
            for (WebLab.Run r : runs) {
                assertThat(r.exit()).as(String.join("\n", r.output())).isCompletedWithValue(0);
                assertThat(r.output()).contains("Hello from the lab's web server.", "  <title>Example Domain</title>");
                assertThat(r.output()).filteredOn(l -> l.endsWith("200")).hasSize(3);
            }
            byte[] logo = lab.files("web").get("/var/www/logo.png").orElseThrow();
            for (int i = 0; i < clients; i++) {
                assertThat(lab.files("client").get("/tmp/" + i + ".png")).contains(logo);
            }
            assertThat(server.exit()).as(String.join("\n", server.output())).isCompletedWithValue(0);
            assertThat(server.output()).filteredOn(l -> l.contains("\"GET ")).hasSize(3 * clients);
            assertThat(server.output()).last().isEqualTo("httpd: served 5 connections, 15 requests");
            // one connection per client: keep-alive carried the three requests
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("tcp")
                    && e.kind().equals("accepted"))).hasSize(clients);
            // bodies went out with sendfile (io_uring has none: it reads and sends)
            long sendfiles = lab.lab.trace().events(e -> e.node().equals("web") && e.kind().equals("sendfile")).size();
            assertThat(sendfiles).isEqualTo(mode.equals("uring") ? 0 : 3L * clients);
        }
    }

    /** A raw client: sends {@code request}, reads until EOF (or 30 s), prints what came back and when the EOF came. */
    static Kernel.Main raw(String request, long waitBeforeSend) {
        return p -> {
            int s = p.socket(AF_INET, SOCK_STREAM, 0);
            p.connect(s, WEB);
            long t0 = p.now();
            if (waitBeforeSend > 0) {
                p.sleep(waitBeforeSend);
            }
            byte[] req = request.getBytes(StandardCharsets.ISO_8859_1);
            p.send(s, req, 0, req.length, 0);
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            while (true) {
                PollFd[] pfd = {new PollFd(s, Sys.POLLIN)};
                if (p.poll(pfd, 30_000) == 0) {
                    p.println("no EOF");
                    break;
                }
                int n = p.recv(s, buf, 0, buf.length, 0);
                if (n == 0) {
                    p.println("EOF after " + (p.now() - t0) / 1_000_000 + " ms");
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            p.close(s);
            HttpDecoder d = HttpDecoder.responses();
            for (String m : request.split("\r\n\r\n")) {
                if (!m.isBlank()) {
                    d.requestSent(m.substring(0, m.indexOf(' ')));
                }
            }
            for (HttpMessage m : d.feed(got.toString().getBytes(StandardCharsets.ISO_8859_1))) {
                HttpResponse r = (HttpResponse) m;
                p.println(r.statusLine() + " " + r.headers().get("Connection").orElse("-") + " " + r.body().length);
            }
            return 0;
        };
    }

    static ExecResult runRaw(WebLab lab, String request, long waitBeforeSend) {
        lab.lab.node("client").registerProgram("raw", dev.wirelab.netstack.program.SyscallProgram.of(raw(request,
                waitBeforeSend)));
        return lab.run("client", "raw");
    }

    @Test
    void headPipeliningAndHttp10() {
        try (WebLab lab = CurlTest.withServer("-k 2")) {
            ExecResult r = runRaw(lab, "HEAD /hello.txt HTTP/1.1\r\nHost: www.example.com\r\n\r\n"
                    + "GET /hello.txt HTTP/1.1\r\nHost: www.example.com\r\n\r\n"
                    + "GET /data.json HTTP/1.0\r\n\r\n", 0);
            // HEAD: Content-Length of the GET, no body; then the body; the HTTP/1.0 request closes.
            assertThat(r.output()).containsExactly("EOF after 2 ms", "HTTP/1.1 200 OK - 0", "HTTP/1.1 200 OK - 33",
                    "HTTP/1.1 200 OK close 60");
        }
    }

    @Test
    void badRequestsGet400AndTheConnectionCloses() {
        try (WebLab lab = CurlTest.withServer("")) {
            ExecResult noHost = runRaw(lab, "GET / HTTP/1.1\r\n\r\n", 0);
            assertThat(noHost.output()).contains("HTTP/1.1 400 Bad Request close 207");
            ExecResult fold = runRaw(lab, "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  b\r\n\r\n", 0);
            assertThat(fold.output().get(1)).startsWith("HTTP/1.1 400 Bad Request close");
            ExecResult version = runRaw(lab, "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 0);
            assertThat(version.output().get(1)).startsWith("HTTP/1.1 505 HTTP Version Not Supported close");
            ExecResult method = runRaw(lab, "DELETE / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 0);
            assertThat(method.output().get(1)).startsWith("HTTP/1.1 405 Method Not Allowed close");
            ExecResult big = runRaw(lab, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", 0);
            assertThat(big.output().get(1)).startsWith("HTTP/1.1 413 Content Too Large close");
            List<TraceEvent> bad = lab.lab.trace().events(e -> e.layer().equals("http") && e.kind().equals("bad_request"));
            assertThat(bad).extracting(e -> e.detail().get("status")).containsExactly(400, 400, 505, 413);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "epoll", "uring"})
    void idleKeepAliveConnectionsAreClosedByTheServer(String mode) {
        try (WebLab lab = CurlTest.withServer("-k 2 --mode " + mode)) {
            ExecResult r = runRaw(lab, "GET /hello.txt HTTP/1.1\r\nHost: www.example.com\r\n\r\n", 0);
            // The response comes at once (2 ms round trip); the server's FIN 2 s after it.
            assertThat(r.output()).containsExactly("EOF after 2002 ms", "HTTP/1.1 200 OK - 33");
            lab.advance(Duration.ofMillis(100));
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.kind().equals("idle_timeout"))).hasSize(1);
            // The server closed first: TIME-WAIT is on its side.
            assertThat(lab.run("web", "ss -tan").output()).anyMatch(l -> l.startsWith("TIME-WAIT"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "epoll"})
    void aRequestLeftHalfSentGets408(String mode) {
        try (WebLab lab = CurlTest.withServer("-k 1 --mode " + mode)) {
            ExecResult r = runRaw(lab, "GET /hello.txt HTTP/1.1\r\nHost: www.exa", 0);
            assertThat(r.output()).containsExactly("EOF after 1002 ms", "HTTP/1.1 408 Request Timeout close 216");
        }
    }

    // ------------------------------------------------------------------ --autoindex

    /** The listing of /files/ (see {@link #withListing}): entries 8 to a chunk, so two entry chunks. */
    static final String LISTING = """
            <!DOCTYPE html>
            <html>
            <head><title>Index of /files/</title></head>
            <body>
            <h1>Index of /files/</h1><hr><pre><a href="../">../</a>
            <a href="a%26b/">a&amp;b/</a>
            <a href="docs/">docs/</a>
            <a href="a.txt">a.txt</a>
            <a href="b.txt">b.txt</a>
            <a href="c.txt">c.txt</a>
            <a href="caf%C3%A9.txt">caf\u00e9.txt</a>
            <a href="d.txt">d.txt</a>
            <a href="e.txt">e.txt</a>
            <a href="f.txt">f.txt</a>
            <a href="with%20space.txt">with space.txt</a>
            <a href="x%3Cy%26z.txt">x&lt;y&amp;z.txt</a>
            </pre><hr></body>
            </html>
            """;

    /** The web lab with a directory /var/www/files (no index.html) and httpd started with {@code options}. */
    static WebLab withListing(String options) {
        WebLab lab = new WebLab();
        var files = lab.files("web");
        for (String name : List.of("a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "caf\u00e9.txt", "with space.txt",
                "x<y&z.txt", ".hidden", "docs/readme.txt", "a&b/x.txt")) {
            files.put("/var/www/files/" + name, "file " + name + "\n");
        }
        lab.start("web", "httpd -q " + options);
        lab.advance(Duration.ofMillis(1));
        return lab;
    }

    /**
     * What web sent from port 80 to each client port, in connection order: the TCP payload of the
     * frames web put on lan2, by sequence number (a retransmission counted once), as ISO-8859-1.
     */
    static List<String> fromServer(WebLab lab) {
        Map<Integer, TreeMap<Long, byte[]>> streams = new LinkedHashMap<>();
        for (CapturedFrame f : lab.lab.trace().frames()) {
            if (!f.segment().equals("lan2") || !f.ingressPort().startsWith("web:")) {
                continue;
            }
            EthernetFrame e = EthernetFrame.parse(f.bytes());
            if (e.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                continue;
            }
            Ipv4Packet ip = Ipv4Packet.parse(e.payload(), 0, e.payload().length);
            if (ip.protocol() != Ipv4Packet.PROTOCOL_TCP) {
                continue;
            }
            TcpSegment t = TcpSegment.parse(ip.payload(), 0, ip.payload().length, ip.source(), ip.destination());
            if (t.sourcePort() == 80) {
                TreeMap<Long, byte[]> s = streams.computeIfAbsent(t.destinationPort(), k -> new TreeMap<>());
                if (t.payload().length > 0) {
                    s.putIfAbsent(t.sequence(), t.payload());
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (TreeMap<Long, byte[]> s : streams.values()) {
            StringBuilder b = new StringBuilder();
            s.values().forEach(bytes -> b.append(new String(bytes, StandardCharsets.ISO_8859_1)));
            out.add(b.toString());
        }
        return out;
    }

    /** A chunked body read by hand (RFC 9112 section 7.1): the chunks' data, and what follows the final CRLF. */
    record Chunked(List<String> chunks, List<String> sizeLines, String rest) {
        static Chunked parse(String body) {
            List<String> chunks = new ArrayList<>();
            List<String> sizes = new ArrayList<>();
            int at = 0;
            while (true) {
                int eol = body.indexOf("\r\n", at);
                assertThat(eol).as("a chunk-size line at %d", at).isGreaterThan(at);
                String size = body.substring(at, eol);
                sizes.add(size);
                assertThat(size).as("chunk-size").matches("[0-9a-f]+");
                int n = Integer.parseInt(size, 16);
                at = eol + 2;
                if (n == 0) {
                    assertThat(body.substring(at)).as("no trailer, then CRLF").startsWith("\r\n");
                    return new Chunked(chunks, sizes, body.substring(at + 2));
                }
                chunks.add(body.substring(at, at + n));
                at += n;
                assertThat(body.substring(at, at + 2)).as("CRLF after chunk-data").isEqualTo("\r\n");
                at += 2;
            }
        }
    }

    static String latin1(String utf16) {
        return new String(utf16.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "threads", "reuseport", "epoll", "uring"})
    void aDirectoryListingGoesChunkedToHttp11(String mode) {
        try (WebLab lab = withListing("--autoindex --mode " + mode)) {
            // curl de-chunks it; the next request on the same connection is answered after the last-chunk
            ExecResult r = lab.run("client", "curl -s -o /tmp/listing.html http://www.example.com/files/"
                    + " http://www.example.com/hello.txt");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(lab.files("client").get("/tmp/listing.html")).contains(LISTING.getBytes(StandardCharsets.UTF_8));
            assertThat(r.output()).containsExactly("Hello from the lab's web server.");

            List<String> wire = fromServer(lab);
            assertThat(wire).hasSize(1); // one kept-alive connection carried both
            String stream = wire.get(0);
            int end = stream.indexOf("\r\n\r\n") + 4;
            String head = stream.substring(0, end);
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nTransfer-Encoding: chunked\r\n")
                    .contains("\r\nContent-Type: text/html; charset=utf-8\r\n").doesNotContain("Content-Length")
                    .doesNotContain("Connection:");
            Chunked body = Chunked.parse(stream.substring(end));
            // the head of the page, two chunks of entries (8, then 3), the tail; then the last-chunk
            assertThat(body.chunks()).hasSize(4);
            assertThat(body.chunks().get(0)).startsWith("<!DOCTYPE html>").endsWith("<a href=\"../\">../</a>\n");
            assertThat(body.chunks().get(1).lines()).hasSize(8).first().isEqualTo("<a href=\"a%26b/\">a&amp;b/</a>");
            assertThat(body.chunks().get(2).lines()).hasSize(3);
            assertThat(body.chunks().get(3)).isEqualTo("</pre><hr></body>\n</html>\n");
            assertThat(String.join("", body.chunks())).isEqualTo(latin1(LISTING));
            // sizes in hex, counting octets (the entry chunk with "caf\u00e9" is one octet longer than its characters)
            assertThat(body.sizeLines()).hasSize(5).endsWith("1a", "0");
            assertThat(Integer.parseInt(body.sizeLines().get(1), 16)).isEqualTo(body.chunks().get(1).length())
                    .isEqualTo(latin1(LISTING).indexOf("<a href=\"f.txt\">") - latin1(LISTING).indexOf("<a href=\"a%26b/\">"));
            assertThat(stream.substring(0, stream.length() - body.rest().length())).endsWith("\r\n0\r\n\r\n");
            assertThat(body.rest()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Hello from the lab's web server.\n");

            TraceEvent sent = lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("http")
                    && e.kind().equals("response_sent"))
                    .get(0);
            assertThat(sent.detail()).containsEntry("framing", "CHUNKED").containsEntry("chunks", 4)
                    .containsEntry("content_length", -1L)
                    .containsEntry("body_bytes", (long) LISTING.getBytes(StandardCharsets.UTF_8).length);
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("http")
                    && e.kind().equals("request_received")))
                    .extracting(e -> e.detail().get("framing")).containsExactly("NONE", "NONE");
            // the directory was read with the directory system calls
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.kind().equals("getdents64"))).isNotEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "epoll", "uring"})
    void http10GetsTheListingCloseDelimited(String mode) {
        try (WebLab lab = withListing("--autoindex --mode " + mode)) {
            // even asked to keep the connection: without chunked, only the close can end the body
            lab.files("client").put("/tmp/req", "GET /files/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            ExecResult r = lab.run("client", "nc --send-file /tmp/req --recv-file /tmp/resp 10.0.2.80 80");
            assertThat(r.exitCode()).as("nc ends when the server closes: " + r.text()).isZero();
            String got = new String(lab.files("client").get("/tmp/resp").orElseThrow(), StandardCharsets.ISO_8859_1);
            int end = got.indexOf("\r\n\r\n") + 4;
            assertThat(got.substring(0, end)).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nConnection: close\r\n")
                    .doesNotContain("Transfer-Encoding").doesNotContain("Content-Length");
            assertThat(got.substring(end)).isEqualTo(latin1(LISTING)); // no chunk framing, nothing after
            assertThat(fromServer(lab)).containsExactly(got);
            // the server closed first (its FIN ended the body)
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("tcp")
                    && e.kind().equals("state") && "FIN_WAIT_1".equals(e.detail().get("to")))).hasSize(1);
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("http")
                    && e.kind().equals("response_sent")))
                    .singleElement().satisfies(e -> assertThat(e.detail()).containsEntry("framing", "CLOSE")
                            .containsEntry("keep_alive", false));
        }
    }

    @Test
    void listingLinksHeadAndRedirect() {
        try (WebLab lab = withListing("--autoindex")) {
            // the hrefs are percent-encoded names that lead to the files
            ExecResult odd = lab.run("client", "curl -s http://www.example.com/files/x%3Cy%26z.txt"
                    + " http://www.example.com/files/caf%C3%A9.txt");
            assertThat(odd.output()).containsExactly("file x<y&z.txt", "file caf\u00e9.txt");
            ExecResult sub = lab.run("client", "curl -s http://www.example.com/files/a%26b/");
            assertThat(sub.output()).contains("<h1>Index of /files/a&amp;b/</h1><hr><pre><a href=\"../\">../</a>",
                    "<a href=\"x.txt\">x.txt</a>");
            // curl -i shows the framing header; HEAD: the same header, no body
            ExecResult i = lab.run("client", "curl -i http://www.example.com/files/");
            assertThat(i.output()).contains("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "</html>")
                    .noneMatch(l -> l.startsWith("Content-Length"));
            ExecResult h = lab.run("client", "curl -I http://www.example.com/files/");
            assertThat(h.exitCode()).as(h.text()).isZero();
            assertThat(h.output()).contains("HTTP/1.1 200 OK", "Transfer-Encoding: chunked").last().isEqualTo("");
            // on the wire (the fourth connection): the header section and not a byte more
            assertThat(fromServer(lab).get(3)).startsWith("HTTP/1.1 200 OK\r\n")
                    .endsWith("\r\nTransfer-Encoding: chunked\r\n\r\n");
            // a directory named without its slash is redirected to it
            ExecResult moved = lab.run("client", "curl -sI http://www.example.com/files");
            assertThat(moved.output()).contains("HTTP/1.1 301 Moved Permanently", "Location: /files/");
            // a directory with index.html is still its index.html, with Content-Length
            ExecResult about = lab.run("client", "curl -sI http://www.example.com/about/");
            assertThat(about.output()).anyMatch(l -> l.startsWith("Content-Length: ")).doesNotContain("Transfer-Encoding: chunked");
        }
    }

    @Test
    void aWebNodeTakesAutoindexFromItsTopology() {
        String yaml = """
                name: listing
                segments: [lan]
                nodes:
                  pc:
                    kind: host
                    interfaces: { eth0: { segment: lan, address: 10.0.0.10/24 } }
                  web:
                    kind: web
                    interfaces: { eth0: { segment: lan, address: 10.0.0.80/24 } }
                    httpd: "--autoindex --mode epoll"
                    files:
                      /var/www/pub/notes.txt: "notes"
                """;
        assertThat(Topologies.checkYaml(yaml)).isEmpty();
        try (Lab lab = Lab.build(
                Topologies.parseYaml(yaml),
                Lab.Options.virtual())) {
            lab.start();
            lab.advance(Duration.ofMillis(10));
            ExecResult r = lab.run("pc", "curl -si http://10.0.0.80/pub/", Duration.ofSeconds(30));
            assertThat(r.output()).contains("Transfer-Encoding: chunked", "<a href=\"notes.txt\">notes.txt</a>");
        }
        assertThat(Topologies.checkYaml(yaml.replace("--autoindex", "--autoindx")))
                .singleElement().extracting(Problem::message).asString()
                .startsWith("httpd option '--autoindx' is unknown");
    }

    @Test
    void withoutAutoindexADirectoryIsStill404() {
        try (WebLab lab = withListing("")) {
            ExecResult r = lab.run("client", "curl -si http://www.example.com/files/");
            assertThat(r.output()).contains("HTTP/1.1 404 Not Found").anyMatch(l -> l.startsWith("Content-Length: "))
                    .doesNotContain("Transfer-Encoding: chunked");
            ExecResult bare = lab.run("client", "curl -sI http://www.example.com/files");
            assertThat(bare.output()).contains("HTTP/1.1 404 Not Found");
            assertThat(fromServer(lab)).allSatisfy(st -> assertThat(st).doesNotContain("Transfer-Encoding"));
        }
    }
}
