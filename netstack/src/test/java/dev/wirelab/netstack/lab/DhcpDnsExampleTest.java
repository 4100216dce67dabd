package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.TraceEvent;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * examples/dhcp-dns.yaml with its script, as the README's command runs it, in virtual time: journey
 * steps 1 and 2 in the trace in order (DORA, then the stub's query, the resolver's cache miss and
 * its walk root -> com. -> example.com.), every command's output as expected, tshark clean, and the
 * whole run in well under a second of wall time once warm (printed to the test output).
 */
class DhcpDnsExampleTest {

    @Test
    void theScriptRunsAndTheTraceShowsTheJourneyInOrder() throws Exception {
        LabScript script = LabScript.parse(Files.readString(Examples.path("dhcp-dns.script")));
        run(script); // warm-up: class loading and JIT
        long t0 = System.nanoTime();
        Result r = run(script);
        long wallMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("examples/dhcp-dns.script in virtual time (" + r.events.size() + " events): " + wallMillis
                + " ms of wall time");
        // About 0.4 s on the 2-core build machine; the bound leaves room for a loaded CI.
        assertThat(wallMillis).as("wall time of the virtual-time run").isLessThan(5000);

        List<String> out = r.outputs;
        assertThat(out).contains("    inet 192.168.1.100/24 brd 192.168.1.255 scope global dynamic eth0",
                "default via 192.168.1.1 dev eth0", "    inet 192.168.2.100/24 brd 192.168.2.255 scope global dynamic eth0",
                "www.example.com.\t3600\tIN\tA\t10.0.0.80", "web.example.com is an alias for www.example.com.",
                "www.example.com has address 10.0.0.80", "Address: 10.0.0.80", "10 mail.example.com.",
                "DHCPACK of 192.168.1.100 from 192.168.1.2", "DHCPRELEASE of 192.168.1.100 on eth0 to 192.168.1.2 port 67");
        assertThat(out).anyMatch(l -> l.contains("status: NXDOMAIN"));

        // Journey steps 1 and 2, in this order on the one timeline.
        List<String> journey = new ArrayList<>();
        for (TraceEvent e : r.events) {
            String step = switch (e.node() + " " + e.layer() + " " + e.kind()) {
                case "pc1 dhcp sent", "pc1 dhcp received" -> e.kind() + " " + e.detail().get("message");
                case "pc1 dhcp state" -> "BOUND".equals(e.detail().get("to")) ? "bound" : null;
                case "pc1 dns query_sent" -> "stub query " + e.detail().get("name");
                case "resolver dns cache_miss" -> "resolver cache miss " + e.detail().get("name");
                case "resolver dns referral" -> "referral " + e.detail().get("from_zone") + " -> " + e.detail().get("to_zone");
                case "resolver dns response_received" -> "answer from " + e.detail().get("server");
                case "resolver dns cache_hit" -> "resolver cache hit " + e.detail().get("name");
                default -> null;
            };
            if (step != null) {
                journey.add(step);
            }
        }
        assertThat(journey).containsSubsequence("sent DHCPDISCOVER", "received DHCPOFFER", "sent DHCPREQUEST",
                "received DHCPACK", "bound", "stub query www.example.com.", "resolver cache miss www.example.com.",
                "referral . -> com.", "referral com. -> example.com.", "answer from 10.0.0.30",
                "stub query www.example.com.", "resolver cache hit www.example.com.");
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(r.capture).problems()).isEmpty();
        List<Map<String, String>> acks = Tshark.fields(r.capture, false, "dhcp.option.dhcp == 5", "dhcp.ip.your");
        assertThat(acks).extracting(m -> m.get("dhcp.ip.your")).contains("192.168.1.100", "192.168.2.100");
    }

    private record Result(List<String> outputs, List<TraceEvent> events, Path capture) {
    }

    private static Result run(LabScript script) {
        List<String> out = new ArrayList<>();
        try (Lab lab = Lab.build(Examples.load("dhcp-dns.yaml"), Lab.Options.virtual())) {
            lab.start();
            for (LabScript.Step step : script.steps()) {
                switch (step) {
                    case LabScript.Sleep s -> lab.advance(s.duration());
                    case LabScript.Command c -> {
                        ExecResult r = lab.run(c.node(), c.command());
                        assertThat(r.exitCode()).as(c.node() + ": " + c.command() + "\n" + r.text()).isZero();
                        out.addAll(r.output());
                    }
                }
            }
            Path capture = Captures.save(lab, "dhcp-dns-example");
            return new Result(out, lab.trace().events(), capture);
        }
    }
}
