package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.RunOptions;
import dev.wirelab.kit.client.WirelabClient;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.netstack.wire.DhcpOption;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Student task "fix the DHCP pool" (tasks/dhcp-pool/starter.yaml): pc1 leases an address but
 * cannot open the page. The grader checks that the ACK carries a gateway and a DNS server and that
 * the page then comes back, on the trace.
 */
class DhcpPoolTask {

    static void grade(WirelabClient wirelab, String topology) {
        long lab = wirelab.createUniqueLab(topology).id();
        Trace trace;
        ExecResult browse;
        try (LabRun run = LabRun.start(wirelab, lab, RunOptions.virtualTime(4))) {
            run.awaitEvent("pc1", "dhcp", "configured", Duration.ofSeconds(60));
            browse = run.exec("pc1", "browse http://www.example.com/");
            trace = run.trace();
        }
        assertThat(trace).has(Frames.dhcp("ACK").on("home")
                        .where("with a router (option 3)", f -> f.dhcp().has(DhcpOption.ROUTER))
                        .where("and a DNS server (option 6)", f -> f.dhcp().has(DhcpOption.DOMAIN_NAME_SERVER)))
                .as(browse.toString())
                .has(Frames.http("HTTP/1.1 200").on("home"));
    }

    @Test
    void theStarterFailsWithTheTimelineAndTheSolutionPasses() {
        WirelabClient wirelab = Journey.client();
        assertThatThrownBy(() -> grade(wirelab, Tasks.topology("dhcp-pool", "starter")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a DHCP ACK on home with a router (option 3)")
                .hasMessageContaining("DHCP ACK xid");   // the ACK that did come, shown
        grade(wirelab, Tasks.topology("dhcp-pool", "solution"));
    }
}
