package dev.wirelab.netstack.node;

import dev.wirelab.netstack.testkit.ScenarioCaptures;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.trace.TraceRecorder;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** Builds small labs on virtual time for tests, and runs programs on their nodes. */
public final class TestLab {

    public final VirtualTimeScheduler scheduler = new VirtualTimeScheduler();
    public final TraceRecorder trace = new TraceRecorder();

    public TestLab() {
        ScenarioCaptures.register(trace::frames, scheduler.epochUnixNanos());
    }

    /** The result of a program run. */
    public record Run(int status, List<String> lines) {
        public String text() {
            return String.join("\n", lines);
        }
    }

    public TestHub hub(String name) {
        return new TestHub(name, scheduler, 1_000_000L, trace); // 1 ms per hop
    }

    public Host host(String name) {
        return new Host(name, scheduler, trace);
    }

    public Router router(String name) {
        return new Router(name, scheduler, trace);
    }

    public static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text);
    }

    /** Plugs {@code node} into {@code hub} as {@code ifName} with {@code address/prefix}. */
    public void attach(Node node, String ifName, TestHub hub, String cidr, int mtu) {
        node.addInterface(ifName, MacAddress.locallyAdministered(node.name() + "/" + ifName), mtu,
                hub.port(node.name() + ":" + ifName));
        if (cidr != null) {
            String[] p = cidr.split("/");
            node.addAddress(ifName, ip(p[0]), Integer.parseInt(p[1]));
        }
    }

    public Run run(Node node, String command) {
        return run(node, command, 600_000_000_000L);
    }

    public Run run(Node node, String command, long maxNanos) {
        List<String> lines = new ArrayList<>();
        CompletableFuture<Integer> f = node.exec(command, lines::add);
        boolean done = scheduler.runUntil(f::isDone, scheduler.nanos() + maxNanos);
        if (!done) {
            throw new AssertionError("'" + command + "' on " + node.name() + " did not finish; output so far:\n"
                    + String.join("\n", lines));
        }
        return new Run(f.join(), lines);
    }

    /** Lets every pending timer up to {@code nanos} from now run. */
    public void runFor(long nanos) {
        scheduler.runFor(nanos);
    }

    public List<TraceEvent> events(String node, String kind) {
        return trace.events(e -> e.node().equals(node) && e.kind().equals(kind));
    }

    public List<TraceEvent> events(Predicate<TraceEvent> filter) {
        return trace.events(filter);
    }

    /**
     * pc1 (10.0.1.2) - lan1 - r1 (10.0.1.1 | 10.0.2.1) - mid - r2 (10.0.2.2 | 10.0.3.1) - lan2 - pc2 (10.0.3.2).
     */
    public static final class Chain {
        public final TestLab lab = new TestLab();
        public final Host pc1 = lab.host("pc1");
        public final Router r1 = lab.router("r1");
        public final Router r2 = lab.router("r2");
        public final Host pc2 = lab.host("pc2");
        public final TestHub lan1 = lab.hub("lan1");
        public final TestHub mid = lab.hub("mid");
        public final TestHub lan2 = lab.hub("lan2");

        public Chain(int midMtu) {
            lab.attach(pc1, "eth0", lan1, "10.0.1.2/24", 1500);
            lab.attach(r1, "eth0", lan1, "10.0.1.1/24", 1500);
            lab.attach(r1, "eth1", mid, "10.0.2.1/24", midMtu);
            lab.attach(r2, "eth0", mid, "10.0.2.2/24", midMtu);
            lab.attach(r2, "eth1", lan2, "10.0.3.1/24", 1500);
            lab.attach(pc2, "eth0", lan2, "10.0.3.2/24", 1500);
            pc1.addRoute(ip("0.0.0.0"), 0, ip("10.0.1.1"), null);
            pc2.addRoute(ip("0.0.0.0"), 0, ip("10.0.3.1"), null);
            r1.addRoute(ip("10.0.3.0"), 24, ip("10.0.2.2"), null);
            r2.addRoute(ip("10.0.1.0"), 24, ip("10.0.2.1"), null);
            for (Node n : List.of(pc1, r1, r2, pc2)) {
                n.start();
            }
            lab.runFor(10_000_000L); // gratuitous ARPs settle
        }

        public Chain() {
            this(1500);
        }
    }
}
