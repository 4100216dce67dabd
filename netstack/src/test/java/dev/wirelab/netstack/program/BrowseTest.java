package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** browse: what a browser would show, by Content-Type, and a trace event for each step. */
class BrowseTest {

    @Test
    void aPageShowsItsTitleAndTextAndEveryStepIsAnEvent() {
        try (WebLab lab = CurlTest.withServer("")) {
            ExecResult r = lab.run("client", "browse www.example.com");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly(
                    "browse: http://www.example.com/ (host www.example.com, port 80, path /)",
                    "browse: www.example.com is 10.0.2.80 (name lookup 0.0 ms)",
                    "browse: connected 10.0.1.10:38550 -> 10.0.2.80:80 (TCP handshake 4.0 ms)",
                    "browse: HTTP/1.1 200 OK (response 2.0 ms; 6.0 ms since the URL was typed)",
                    "browse: Content-Type: text/html; charset=utf-8, 474 bytes (Content-Length)",
                    "page title: Example Domain",
                    "  | Example Domain",
                    "  | You reached www.example.com inside a Wirelab lab: this page came over a TCP connection from a"
                            + " virtual web server, after DHCP gave you an address and DNS found this name.",
                    "  | [Wirelab logo] How this page got here",
                    "  | links: /about/",
                    "  | images: /logo.png");
            List<String> steps = lab.lab.trace().events(e -> e.node().equals("client")
                    && (e.layer().equals("http") || e.layer().equals("app"))).stream().map(TraceEvent::kind).toList();
            assertThat(steps).containsSubsequence("url_parsed", "resolve_start", "resolve_done", "connect", "connected",
                    "request_sent", "response_received", "rendered", "close");
        }
    }

    @Test
    void imagesTextRedirectsAndErrors() {
        try (WebLab lab = CurlTest.withServer("")) {
            ExecResult png = lab.run("client", "browse http://www.example.com/logo.png");
            assertThat(png.output()).anyMatch(l -> l.matches("image: image/png, \\d+ bytes, 32x32 pixels"));
            ExecResult txt = lab.run("client", "browse http://www.example.com/hello.txt");
            assertThat(txt.output()).endsWith("text (text/plain):", "  | Hello from the lab's web server.");
            ExecResult moved = lab.run("client", "browse http://www.example.com/about");
            assertThat(moved.output()).contains("browse: 301 Moved Permanently -> http://www.example.com/about/",
                    "page title: About this lab");
            ExecResult missing = lab.run("client", "browse http://www.example.com/nope");
            assertThat(missing.exitCode()).isEqualTo(22);
            assertThat(missing.output()).contains("page title: 404 Not Found");
            ExecResult unresolved = lab.run("client", "browse http://nope.invalid/");
            assertThat(unresolved.exitCode()).isEqualTo(6);
            assertThat(unresolved.output()).last().isEqualTo("browse: (6) Could not resolve host: nope.invalid");
        }
    }

    @Test
    void aChunkedDirectoryListingIsShownDeChunked() {
        try (WebLab lab = HttpdTest.withListing("--autoindex")) {
            ExecResult r = lab.run("client", "browse http://www.example.com/files/");
            assertThat(r.exitCode()).as(r.text()).isZero();
            int bytes = HttpdTest.LISTING.getBytes(StandardCharsets.UTF_8).length;
            assertThat(r.output()).contains(
                    "browse: Content-Type: text/html; charset=utf-8, " + bytes + " bytes (chunked)",
                    "page title: Index of /files/",
                    "  | ../ a&b/ docs/ a.txt b.txt c.txt caf\u00e9.txt d.txt e.txt f.txt with space.txt x<y&z.txt",
                    "  | links: ../ a%26b/ docs/ a.txt b.txt c.txt caf%C3%A9.txt d.txt e.txt f.txt with%20space.txt"
                            + " x%3Cy%26z.txt");
        }
    }

    @Test
    void withResourcesItLoadsImagesAndStylesOverTheSameConnection() {
        try (WebLab lab = CurlTest.withServer("")) {
            ExecResult r = lab.run("client", "browse -r http://www.example.com/");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).anyMatch(l -> l.matches("resource /logo.png: 200 OK, image/png, \\d+ bytes, 32x32 pixels"))
                    .anyMatch(l -> l.startsWith("resource /style.css: 200 OK, body {"));
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("tcp")
                    && e.kind().equals("accepted"))).hasSize(1);
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("http")
                    && e.kind().equals("request_received"))).hasSize(3);
        }
    }
}
