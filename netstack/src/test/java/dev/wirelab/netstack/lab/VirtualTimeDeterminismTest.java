package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.LinkSpec;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Virtual time makes a lab reproducible: the same topology, script and seed give a byte-identical
 * pcapng and the same event timeline, even with every impairment drawing from the RNG; another seed
 * gives another run.
 */
class VirtualTimeDeterminismTest {

    private static final List<String> SCRIPT = List.of(
            "pc1: ping -c 20 -i 0.05 -W 1 10.0.2.10",
            "pc2: traceroute -n -q 2 -w 1 10.0.1.10",
            "pc1: ping -c 3 -s 1400 10.0.2.10",
            "pc2: ping -c 1 -t 1 10.0.1.10");

    /** three-segments.yaml with every impairment on the core and some on the LANs. */
    private static Topology impaired() {
        Topology t = Examples.load("three-segments.yaml");
        long ms = 1_000_000L;
        Map<String, LinkSpec> links = Map.of(
                "core", new LinkSpec(5 * ms, 2 * ms, 0.1, 0.05, 0.1, 0.02, 10_000_000L),
                "lan1", new LinkSpec(ms, ms / 2, 0.02, 0.0, 0.0, 0.0, 0),
                "lan2", new LinkSpec(ms, 0, 0.0, 0.02, 0.05, 0.0, 0));
        return new Topology(t.name(), t.segments(), t.nodes(), links, t.external(), t.bus(), t.seed());
    }

    private record Run(byte[] pcapng, List<String> timeline, List<String> output) {
    }

    private static Run run(long seed, String captureName) throws Exception {
        try (Lab lab = Lab.build(impaired(), Lab.Options.virtual().withSeed(seed))) {
            lab.start();
            List<String> output = new ArrayList<>();
            for (String line : SCRIPT) {
                LabScript.Command c = (LabScript.Command) LabScript.parseStep(line, 0);
                ExecResult r = lab.run(c.node(), c.command());
                output.addAll(r.output());
            }
            lab.advance(java.time.Duration.ofSeconds(1));
            Path p = Captures.save(lab, captureName);
            return new Run(Files.readAllBytes(p), TraceSummary.timeline(lab.trace().frames(), lab.trace().events()), output);
        }
    }

    @Test
    void sameTopologyScriptAndSeedGiveAByteIdenticalCapture() throws Exception {
        Run a = run(7, "determinism-seed7-a");
        Run b = run(7, "determinism-seed7-b");
        assertThat(a.pcapng).isEqualTo(b.pcapng);
        assertThat(a.timeline).isEqualTo(b.timeline);
        assertThat(a.output).isEqualTo(b.output);
        // The impairments did act: some pings were lost, and the run still made progress.
        assertThat(a.output).anyMatch(l -> l.startsWith("20 packets transmitted") && !l.contains(" 0% packet loss"));
        assertThat(a.output).anyMatch(l -> l.contains("bytes from 10.0.2.10"));
        if (Tshark.available()) {
            // Corrupted frames carry bad checksums on purpose; everything else must be clean.
            assertThat(Tshark.judge(Captures.DIR.resolve("determinism-seed7-a.pcapng")).frames()).isGreaterThan(40);
        }
    }

    @Test
    void anotherSeedGivesAnotherRun() throws Exception {
        Run a = run(7, "determinism-seed7-c");
        Run c = run(8, "determinism-seed8");
        assertThat(a.pcapng).isNotEqualTo(c.pcapng);
    }
}
