package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HttpSmokeTest {

    @Test
    void curlFetchesTheHomePage() {
        try (WebLab lab = new WebLab()) {
            WebLab.Run server = lab.start("web", "httpd");
            lab.advance(Duration.ofMillis(10));
            ExecResult r = lab.run("client", "curl -v http://www.example.com/ http://www.example.com/hello.txt");
            System.out.println(r.text());
            System.out.println(server.output());
            lab.advance(Duration.ofSeconds(6));
            ExecResult b = lab.run("client", "browse -r www.example.com");
            System.out.println(b.text());
            lab.advance(Duration.ofSeconds(6));
            System.out.println(lab.run("client", "ss -tan").text());
            System.out.println(lab.run("web", "ss -tan").text());
            assertThat(r.exitCode()).isZero();
        }
    }
}
