package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.program.SyscallProgram;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.ScenarioCaptures;
import dev.wirelab.netstack.testkit.Tshark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A small lab for system call tests: programs are lambdas registered on nodes and run through
 * the shell like any command, in virtual time unless asked otherwise.
 * <pre>
 *   h1 10.0.0.1 [lan 10.0.0.0/24, 1 ms] 10.0.0.2 h2          (pair)
 *   h1 10.0.1.10 [lan1] .1 r1 .1 [lan2] 10.0.2.10 h2        (routed)
 * </pre>
 */
final class ProcLab implements AutoCloseable {

    static final String PAIR = """
            name: pair
            segments: [lan]
            nodes:
              h1: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }
              h2: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } } }
            links:
              lan: { delay: 1ms }
            """;

    static final String ROUTED = """
            name: routed
            segments: [lan1, lan2]
            nodes:
              h1:
                kind: host
                interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } }
                routes: [ { to: default, via: 10.0.1.1 } ]
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan1, address: 10.0.1.1/24 }
                  eth1: { segment: lan2, address: 10.0.2.1/24 }
              h2:
                kind: host
                interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } }
                routes: [ { to: default, via: 10.0.2.1 } ]
            links:
              lan1: { delay: 500us }
              lan2: { delay: 500us }
            """;

    final Lab lab;
    private int nextName;

    ProcLab(String yaml, Lab.Options options) {
        lab = Lab.build(Topologies.parseYaml(yaml), options);
        ScenarioCaptures.register(() -> lab.trace().frames(), lab.epochUnixNanos());
        lab.start();
    }

    /** Saves the capture under target/captures and has tshark judge it: no malformed frame, no bad checksum. */
    java.nio.file.Path judgedCapture(String name) throws java.io.IOException {
        java.nio.file.Path p = Captures.save(lab, name);
        if (Tshark.available()) {
            org.assertj.core.api.Assertions.assertThat(SegmentJudge.problems(p)).as("tshark on " + p).isEmpty();
        }
        return p;
    }

    static ProcLab pair() {
        return new ProcLab(PAIR, Lab.Options.virtual());
    }

    static ProcLab routed() {
        return new ProcLab(ROUTED, Lab.Options.virtual());
    }

    /** A started program: its output and exit status. */
    record Run(CompletableFuture<Integer> exit, List<String> output) {
        boolean done() {
            return exit.isDone();
        }
    }

    private String register(String node, Kernel.Main main) {
        String name = "t" + (nextName++);
        lab.node(node).registerProgram(name, SyscallProgram.of(main));
        return name;
    }

    /** Starts {@code main} on {@code node} in the background. */
    Run start(String node, Kernel.Main main) {
        String name = register(node, main);
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        return new Run(lab.exec(node, name, out::add), out);
    }

    /** Runs {@code main} on {@code node} to its end (at most 60 s of lab time). */
    ExecResult run(String node, Kernel.Main main) {
        return lab.run(node, register(node, main), Duration.ofSeconds(60));
    }

    void advance(Duration d) {
        lab.advance(d);
    }

    Kernel kernel(String node) {
        return Kernel.of(lab.node(node));
    }

    @Override
    public void close() {
        lab.close();
    }
}
