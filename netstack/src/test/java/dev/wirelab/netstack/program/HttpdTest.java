package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.HttpDecoder;
import dev.wirelab.netstack.http.HttpMessage;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.socket.Kernel;
import dev.wirelab.netstack.socket.PollFd;
import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * httpd in each server pattern serving concurrent keep-alive clients, and its protocol behaviour
 * seen from a raw socket client: HEAD, pipelining, HTTP/1.0, 400 for bad requests, the keep-alive
 * idle timeout (the server closes first) and 408 for a request left half-sent.
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
}
