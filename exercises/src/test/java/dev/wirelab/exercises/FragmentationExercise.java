package dev.wirelab.exercises;

import dev.wirelab.kit.client.ExecResult;
import dev.wirelab.kit.client.LabRun;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.trace.Events;
import dev.wirelab.kit.trace.Frames;
import dev.wirelab.kit.trace.Trace;
import dev.wirelab.kit.trace.TracedFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exercise 5, fragmentation and path MTU. What it teaches: r1's link to the core carries at most
 * 576 bytes; a 1400-byte datagram without DF is cut into fragments (RFC 791 section 3.2: offsets
 * in 8-byte units, MF on all but the last) that only pc2 puts back together; with DF set, r1 drops
 * it and answers "fragmentation needed" with the next hop's MTU (RFC 1191); a TCP sender that gets
 * that answer lowers its segment size to the path's MTU minus 40 and sends again.
 */
class FragmentationExercise {

    static final String PC2 = "10.0.2.10";

    /** examples/mtu-576.yaml with pc2 a web server that has a 6000-byte file. */
    static String topology() throws Exception {
        String yaml = java.nio.file.Files.readString(dev.wirelab.kit.junit.EmbeddedWirelab.examplesDir().resolve("mtu-576.yaml"));
        String pc2 = "  pc2:\n    kind: host\n";
        assertThat(yaml).contains(pc2);
        return yaml.replace(pc2, "  pc2:\n    kind: web\n    files:\n      /var/www/big.txt: \"" + "x".repeat(6000) + "\"\n");
    }

    record Outcome(Trace trace, ExecResult fragmented, ExecResult refused, ExecResult curl) {
    }

    static Outcome live(Runtime runtime, String topology) {
        try (LabRun run = Journey.start(runtime, topology, 1)) {
            ExecResult fragmented = run.exec("pc1", "ping -c 1 -s 1372 -M dont " + PC2);
            ExecResult refused = run.exec("pc1", "ping -c 1 -s 1372 -M do " + PC2);
            ExecResult curl = run.exec("pc1", "curl -s -o /tmp/big.txt -w '%{size_download}' http://" + PC2 + "/big.txt");
            return new Outcome(run.trace(), fragmented, refused, curl);
        }
    }

    @ParameterizedTest
    @EnumSource(Runtime.class)
    void bigDatagramsAreFragmentedOrRefusedAndTcpFindsThePathMtu(Runtime runtime) throws Exception {
        Outcome o = live(runtime, topology());
        assertThat(o.fragmented().exitCode()).as(o.fragmented().toString()).isZero();
        assertThat(o.refused().text()).as(o.refused().toString()).contains("mtu = 576");
        assertThat(o.curl().text()).as(o.curl().toString()).isEqualTo("6000");
        check(o.trace());
    }

    static void check(Trace trace) {
        // Without DF: fragments on the core, none larger than 576 bytes, offsets in 8-byte units, MF
        // on all but the last; routers never reassemble: pc2 puts the request together, pc1 the reply
        // (fragmented the same way by r2).
        List<TracedFrame> fragments = trace.frames(Frames.any().on("core").to(PC2)
                .where("that is a fragment of an echo request", f -> f.ipv4() != null && f.ipv4().isFragment()
                        && f.ipv4().protocol() == 1));
        assertThat(fragments).as("fragments of the first echo request on core").hasSizeGreaterThanOrEqualTo(3);
        int id = fragments.get(0).ipv4().identification();
        List<TracedFrame> one = fragments.stream().filter(f -> f.ipv4().identification() == id).toList();
        assertThat(one).allSatisfy(f -> assertThat(f.ipv4().totalLength()).isLessThanOrEqualTo(576));
        assertThat(one).allSatisfy(f -> assertThat(f.ipv4().dontFragment()).isFalse());
        assertThat(one.subList(0, one.size() - 1)).allSatisfy(f -> assertThat(f.ipv4().moreFragments()).isTrue());
        assertThat(one.get(one.size() - 1).ipv4().moreFragments()).isFalse();
        int expectedOffset = 0;
        int payload = 0;
        for (TracedFrame f : one) {
            assertThat(f.ipv4().fragmentOffset()).as("offset (bytes) of fragment " + f.seq()).isEqualTo(expectedOffset);
            assertThat(expectedOffset % 8).as("offsets count 8-byte units").isZero();
            int len = f.ipv4().totalLength() - f.ipv4().headerLength();
            expectedOffset += len;
            payload += len;
        }
        assertThat(payload).as("ICMP header + data carried by the fragments").isEqualTo(8 + 1372);
        assertThat(trace).containsSubsequence(Events.of("pc2", "ipv4", "reassembly_complete"),
                        Events.of("pc1", "ipv4", "reassembly_complete"))
                .hasNo(Events.of("r1", "ipv4", "reassembly_complete")).hasNo(Events.of("r2", "ipv4", "reassembly_complete"));
        // With DF: r1 refuses and tells the sender the next hop's MTU.
        assertThat(trace).has(Frames.icmp(3).on("lan1").to("10.0.1.10")
                .where("code 4 (fragmentation needed), next-hop MTU 576",
                        f -> f.icmp().code() == 4 && f.icmp().nextHopMtu() == 576));
        // TCP: the web server's full-size segments are refused at r2 the same way; it lowers its MSS to 536 (524 with timestamps).
        assertThat(trace).containsSubsequence(
                Frames.tcpData().on("lan2").from(PC2).where("larger than the core's MTU", f -> f.ipv4().totalLength() > 576),
                Frames.icmp(3).on("lan2").to(PC2).where("fragmentation needed, MTU 576", f -> f.icmp().code() == 4
                        && f.icmp().nextHopMtu() == 576),
                // 576 - 20 (IP) - 20 (TCP) = 536, less the 12 bytes of timestamps each segment carries
                Events.of("pc2", "tcp", "pmtu").with("mtu", "576").with("mss_to", "524"));
        assertThat(trace).has(Frames.tcpData().on("core").from(PC2))
                .hasNo(Frames.tcpData().on("core").from(PC2).where("larger than 576 bytes", f -> f.ipv4().totalLength() > 576));
    }
}
