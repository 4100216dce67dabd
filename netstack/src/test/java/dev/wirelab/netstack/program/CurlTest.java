package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** curl against httpd in a routed lab: curl's -v lines, keep-alive, options, and its exit codes. */
class CurlTest {

    static WebLab withServer(String options) {
        WebLab lab = new WebLab();
        lab.start("web", "httpd -q " + options);
        lab.advance(Duration.ofMillis(1));
        return lab;
    }

    @Test
    void verboseOutputIsCurls() {
        try (WebLab lab = withServer("")) {
            ExecResult r = lab.run("client", "curl -v http://www.example.com/hello.txt");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsExactly(
                    "*   Trying 10.0.2.80:80...",
                    "* Connected to www.example.com (10.0.2.80) port 80 (#0)",
                    "> GET /hello.txt HTTP/1.1",
                    "> Host: www.example.com",
                    "> User-Agent: curl/7.88.1",
                    "> Accept: */*",
                    "> ",
                    "< HTTP/1.1 200 OK",
                    "< Date: Thu, 01 Jan 2026 00:00:00 GMT",
                    "< Server: wirelab-httpd",
                    "< Content-Type: text/plain; charset=utf-8",
                    "< Content-Length: 33",
                    "< ",
                    "Hello from the lab's web server.",
                    "* Connection #0 to host www.example.com left intact");
        }
    }

    @Test
    void severalUrlsShareOneKeptAliveConnection() {
        try (WebLab lab = withServer("")) {
            ExecResult r = lab.run("client", "curl -v http://www.example.com/hello.txt http://www.example.com/data.json"
                    + " http://www.example.com/hello.txt");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).filteredOn(l -> l.startsWith("*   Trying")).hasSize(1);
            assertThat(r.output()).filteredOn(l -> l.equals("* Re-using existing connection #0 with host www.example.com"))
                    .hasSize(2);
            assertThat(r.output()).contains("{\"lab\": \"journey\", \"server\": \"www.example.com\", \"ok\": true}");
            List<TraceEvent> connects = lab.lab.trace().events(e -> e.node().equals("client") && e.layer().equals("tcp")
                    && e.kind().equals("state") && "SYN_SENT".equals(e.detail().get("to")));
            assertThat(connects).hasSize(1);
            assertThat(lab.lab.trace().events(e -> e.node().equals("web") && e.layer().equals("http")
                    && e.kind().equals("request_received"))).hasSize(3);
        }
    }

    @Test
    void headIncludeOutputFileAndWriteOut() {
        try (WebLab lab = withServer("")) {
            ExecResult head = lab.run("client", "curl -I http://www.example.com/logo.png");
            assertThat(head.exitCode()).isZero();
            assertThat(head.output()).contains("HTTP/1.1 200 OK", "Content-Type: image/png", "").doesNotContain("Warning");
            int size = lab.files("web").get("/var/www/logo.png").orElseThrow().length;
            assertThat(head.output()).contains("Content-Length: " + size);

            ExecResult save = lab.run("client", "curl -s -o /tmp/logo.png -w '%{http_code} %{size_download} %{content_type}'"
                    + " http://www.example.com/logo.png");
            assertThat(save.exitCode()).as(save.text()).isZero();
            assertThat(save.output()).containsExactly("200 " + size + " image/png");
            assertThat(lab.files("client").get("/tmp/logo.png").orElseThrow())
                    .isEqualTo(lab.files("web").get("/var/www/logo.png").orElseThrow());

            ExecResult binary = lab.run("client", "curl http://www.example.com/logo.png");
            assertThat(binary.exitCode()).isEqualTo(23);
            assertThat(binary.output().get(0)).startsWith("Warning: Binary output can mess up your terminal.");

            ExecResult include = lab.run("client", "curl -i http://www.example.com/hello.txt");
            assertThat(include.output()).startsWith("HTTP/1.1 200 OK").endsWith("", "Hello from the lab's web server.");

            ExecResult remote = lab.run("client", "curl -sO http://www.example.com/hello.txt");
            assertThat(remote.exitCode()).isZero();
            assertThat(new String(lab.files("client").get("/hello.txt").orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo("Hello from the lab's web server.\n");
        }
    }

    @Test
    void verboseShowsAChunkedResponseAndItsBodyDeChunked() {
        try (WebLab lab = HttpdTest.withListing("--autoindex")) {
            ExecResult r = lab.run("client", "curl -v http://www.example.com/files/docs/");
            assertThat(r.exitCode()).as(r.text()).isZero();
            assertThat(r.output()).containsSubsequence(
                    "< HTTP/1.1 200 OK",
                    "< Content-Type: text/html; charset=utf-8",
                    "< Transfer-Encoding: chunked",
                    "< ",
                    "<!DOCTYPE html>",
                    "<h1>Index of /files/docs/</h1><hr><pre><a href=\"../\">../</a>",
                    "<a href=\"readme.txt\">readme.txt</a>",
                    "</pre><hr></body>",
                    "</html>",
                    "* Connection #0 to host www.example.com left intact")
                    .noneMatch(l -> l.startsWith("< Content-Length") || l.matches("[0-9a-f]+"));
            // -w's size is the de-chunked body: no size lines, no CRLFs, no last-chunk
            String page = "<!DOCTYPE html>\n<html>\n<head><title>Index of /files/docs/</title></head>\n<body>\n"
                    + "<h1>Index of /files/docs/</h1><hr><pre><a href=\"../\">../</a>\n"
                    + "<a href=\"readme.txt\">readme.txt</a>\n</pre><hr></body>\n</html>\n";
            ExecResult size = lab.run("client", "curl -s -o /tmp/docs.html -w '%{size_download}'"
                    + " http://www.example.com/files/docs/");
            assertThat(size.output()).containsExactly(String.valueOf(page.length()));
            assertThat(lab.files("client").get("/tmp/docs.html")).contains(page.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void followsRedirectsAndFailsOnErrorsWhenAsked() {
        try (WebLab lab = withServer("")) {
            ExecResult moved = lab.run("client", "curl -s -w '%{http_code}' http://www.example.com/about");
            assertThat(moved.output()).last().isEqualTo("301");
            ExecResult follow = lab.run("client", "curl -sL -w '%{http_code} %{url_effective}' http://www.example.com/about");
            assertThat(follow.output()).contains("  <h1>The journey of a page</h1>")
                    .last().isEqualTo("200 http://www.example.com/about/");
            ExecResult notFound = lab.run("client", "curl -sw '%{http_code}' http://www.example.com/nope");
            assertThat(notFound.exitCode()).isZero();
            assertThat(notFound.output()).contains("<head><title>404 Not Found</title></head>").last().isEqualTo("404");
            ExecResult fail = lab.run("client", "curl -f http://www.example.com/nope");
            assertThat(fail.exitCode()).isEqualTo(22);
            assertThat(fail.output()).containsExactly("curl: (22) The requested URL returned error: 404");
            ExecResult post = lab.run("client", "curl -s -w '%{http_code}' -d a=1 http://www.example.com/");
            assertThat(post.output()).last().isEqualTo("405");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "curl http://nope.invalid/                      | 6  | curl: (6) Could not resolve host: nope.invalid",
        "curl http://www.example.com:81/                | 7  | curl: (7) Failed to connect to www.example.com port 81 after 4 ms: Connection refused",
        "curl --connect-timeout 1 http://down.example.com/ | 28 | curl: (28) Connection timed out after 1000 milliseconds",
        "curl http://down.example.com/                  | 7  | curl: (7) Failed to connect to down.example.com port 80 after 3002 ms: No route to host",
        "curl https://www.example.com/                  | 1  | curl: (1) Protocol \"https\" not supported or disabled in libcurl",
        "curl http://www.example.com:70000/             | 3  | curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535",
        "curl -s http://nope.invalid/                   | 6  | ",
        "curl -sS http://nope.invalid/                  | 6  | curl: (6) Could not resolve host: nope.invalid",
        "curl                                           | 2  | curl: no URL specified!",
        "curl --bogus http://x/                         | 2  | curl: option --bogus: is unknown",
    })
    void exitCodesAreCurls(String command, int code, String message) {
        try (WebLab lab = withServer("")) {
            ExecResult r = lab.run("client", command);
            assertThat(r.exitCode()).as(r.text()).isEqualTo(code);
            if (message == null) {
                assertThat(r.output()).isEmpty();
            } else {
                assertThat(r.output().get(0)).isEqualTo(message);
            }
        }
    }

    @Test
    void maxTimeEndsATransferTheServerNeverAnswers() {
        try (WebLab lab = new WebLab()) {
            // a TCP listener that accepts and never answers
            lab.start("web", "nc -l -k -p 80");
            lab.advance(Duration.ofMillis(1));
            ExecResult r = lab.run("client", "curl -m 2 http://www.example.com/");
            assertThat(r.exitCode()).isEqualTo(28);
            assertThat(r.output()).containsExactly("curl: (28) Operation timed out after 2000 milliseconds with 0 bytes received");
        }
    }
}
