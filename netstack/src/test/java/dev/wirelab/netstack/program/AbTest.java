package dev.wirelab.netstack.program;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ab puts -c connections at once on a server and reports as ApacheBench does: complete and failed
 * requests, bytes, keep-alive reuse, non-2xx answers, and the abort after ten refused connects.
 */
class AbTest {

    static final String HELLO = "Hello from the lab's web server.\n";

    private static List<TraceEvent> events(WebLab lab, String node, String layer, String kind) {
        return lab.lab.trace().events(e -> e.node().equals(node) && e.layer().equals(layer) && e.kind().equals(kind));
    }

    @Test
    void concurrentRequestsAllCompleteAndTheReportAddsUp() {
        try (WebLab lab = new WebLab()) {
            WebLab.Run server = lab.start("web", "httpd -q --mode threads --workers 4");
            lab.advance(Duration.ofMillis(1));
            ExecResult ab = lab.run("client", "ab -n 200 -c 10 http://www.example.com/hello.txt");
            assertThat(ab.exitCode()).as(ab.text()).isZero();
            assertThat(ab.output()).contains(
                    "Benchmarking www.example.com (be patient)",
                    "Completed 20 requests",
                    "Finished 200 requests",
                    "Server Hostname:        www.example.com",
                    "Server Port:            80",
                    "Document Path:          /hello.txt",
                    "Document Length:        " + HELLO.length() + " bytes",
                    "Concurrency Level:      10",
                    "Complete requests:      200",
                    "Failed requests:        0",
                    "HTML transferred:       " + 200 * HELLO.length() + " bytes");
            assertThat(ab.output()).anyMatch(l -> l.matches("Requests per second: +[0-9.]+ \\[#/sec\\] \\(mean\\)"));
            assertThat(ab.output()).anyMatch(l -> l.matches("Total: +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9]+"));
            assertThat(ab.output()).anyMatch(l -> l.matches(" 100% +[0-9]+ \\(longest request\\)"));
            // Without -k every request is its own connection, -c of them open at once from -c threads.
            assertThat(events(lab, "web", "tcp", "accepted")).hasSize(200);
            List<TraceEvent> connects = events(lab, "client", "syscall", "connect");
            assertThat(connects).hasSize(200).allMatch(e -> String.valueOf(e.detail().get("result")).equals("0"));
            Set<String> threads = connects.stream().map(e -> String.valueOf(e.detail().get("tid"))).collect(Collectors.toSet());
            assertThat(threads).hasSize(10);
            // The total is what the sockets received: 200 responses of head plus body.
            long received = lab.lab.trace().events(e -> e.node().equals("client") && e.kind().equals("recv")).stream()
                    .mapToLong(e -> Long.parseLong(String.valueOf(e.detail().get("result")))).sum();
            assertThat(ab.output()).contains("Total transferred:      " + received + " bytes");
            assertThat(server.exit()).isNotDone();
        }
    }

    @Test
    void keepAliveReusesOneConnectionPerClient() {
        try (WebLab lab = new WebLab()) {
            lab.start("web", "httpd -q --mode epoll");
            lab.advance(Duration.ofMillis(1));
            ExecResult ab = lab.run("client", "ab -k -n 40 -c 4 http://www.example.com/hello.txt");
            assertThat(ab.exitCode()).as(ab.text()).isZero();
            assertThat(ab.output()).contains("Complete requests:      40", "Failed requests:        0",
                    "Keep-Alive requests:    36");
            assertThat(events(lab, "web", "tcp", "accepted")).hasSize(4);
        }
    }

    @Test
    void non2xxAnswersAreCountedApart() {
        try (WebLab lab = new WebLab()) {
            lab.start("web", "httpd -q");
            lab.advance(Duration.ofMillis(1));
            ExecResult ab = lab.run("client", "ab -n 3 http://www.example.com/nosuch");
            assertThat(ab.exitCode()).as(ab.text()).isZero();
            assertThat(ab.output()).contains("Benchmarking www.example.com (be patient).....done",
                    "Complete requests:      3", "Failed requests:        0", "Non-2xx responses:      3");
        }
    }

    @Test
    void refusedConnectionsAbortTheTestAfterTenFailures() {
        try (WebLab lab = new WebLab()) {
            ExecResult ab = lab.run("client", "ab -n 50 -c 2 http://www.example.com:81/");
            assertThat(ab.exitCode()).as(ab.text()).isEqualTo(1);
            assertThat(ab.output()).contains("Test aborted after 10 failures", "apr_socket_connect(): Connection refused (111)");
            assertThat(events(lab, "client", "syscall", "connect").size()).isBetween(11, 13);
        }
    }

    @Test
    void badUsageIsExplained() {
        try (WebLab lab = new WebLab()) {
            ExecResult more = lab.run("client", "ab -n 2 -c 5 http://www.example.com/");
            assertThat(more.exitCode()).isEqualTo(22);
            assertThat(more.output()).contains("ab: Cannot use concurrency level greater than total number of requests");
            ExecResult noPath = lab.run("client", "ab http://www.example.com");
            assertThat(noPath.exitCode()).isEqualTo(22);
            assertThat(noPath.output()).first().isEqualTo("ab: invalid URL");
            ExecResult badN = lab.run("client", "ab -n zero http://www.example.com/");
            assertThat(badN.output()).contains("ab: invalid number of requests: zero");
        }
    }
}
