package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.DefaultSite;
import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.socket.NodeFiles;
import dev.wirelab.netstack.testkit.ScenarioCaptures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A routed lab for the HTTP programs, in virtual time:
 * <pre>
 *   client 10.0.1.10 [lan1 0.5 ms] .1 r1 .1 [lan2 0.5 ms] 10.0.2.80 web (www.example.com in client's hosts)
 * </pre>
 * The web server has the built-in site under /var/www.
 */
final class WebLab implements AutoCloseable {

    static final String YAML = """
            name: web
            segments: [lan1, lan2]
            nodes:
              client:
                kind: host
                interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }
                routes: [ { to: default, via: 10.0.1.1 } ]
                resolver: { hosts: { www.example.com: 10.0.2.80, down.example.com: 10.0.2.99 } }
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan1, address: 10.0.1.1/24 }
                  eth1: { segment: lan2, address: 10.0.2.1/24 }
              web:
                kind: host
                interfaces: { eth0: { segment: lan2, address: 10.0.2.80/24 } }
                routes: [ { to: default, via: 10.0.2.1 } ]
            links:
              lan1: { delay: 500us }
              lan2: { delay: 500us }
            """;

    final Lab lab;

    WebLab() {
        lab = Lab.build(Topologies.parseYaml(YAML), Lab.Options.virtual());
        ScenarioCaptures.register(() -> lab.trace().frames(), lab.epochUnixNanos());
        DefaultSite.install(NodeFiles.of(lab.node("web")), "/var/www");
        lab.start();
    }

    record Run(CompletableFuture<Integer> exit, List<String> output) {
    }

    Run start(String node, String command) {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        return new Run(lab.exec(node, command, out::add), out);
    }

    ExecResult run(String node, String command) {
        return lab.run(node, command, Duration.ofSeconds(120));
    }

    void advance(Duration d) {
        lab.advance(d);
    }

    NodeFiles files(String node) {
        return NodeFiles.of(lab.node(node));
    }

    @Override
    public void close() {
        lab.close();
    }
}
