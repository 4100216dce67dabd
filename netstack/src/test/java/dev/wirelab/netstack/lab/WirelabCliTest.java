package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.cli.WirelabCli;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's run command, in-process: a topology file and a script in, outputs, summary and a pcapng out. */
class WirelabCliTest {

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new WirelabCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runsTheExampleScriptAndWritesACaptureTsharkAccepts() throws Exception {
        Path pcap = Path.of("target", "captures", "cli-three-segments.pcapng");
        Files.createDirectories(pcap.getParent());
        Outcome o = cli("run", Examples.path("three-segments.yaml").toString(),
                "--script", Examples.path("three-segments.script").toString(), "--pcap", pcap.toString(), "--events");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("Lab three-segments: 4 nodes, 3 segments, virtual time, seed 1")
                .contains("pc1$ ping -c 3 10.0.2.10")
                .contains("3 packets transmitted, 3 received, 0% packet loss")
                .contains("From 10.0.1.1 icmp_seq=1 Time to live exceeded")
                .contains("From 10.0.1.1 icmp_seq=1 Destination Net Unreachable")
                .containsPattern(" 3  10\\.0\\.2\\.10  ")
                .contains("default via 10.0.1.1 dev eth0")
                .containsPattern("Trace: \\d+ frames")
                .contains("Capture: " + pcap);
        // The timeline interleaves frames (tcpdump-like lines) and events.
        assertThat(o.out()).containsPattern("\\[lan1\\] pc1:eth0 .*ARP").containsPattern("r1 +ipv4\\.ttl_expired");
        assertThat(pcap).exists();
        if (Tshark.available()) {
            assertThat(Tshark.judge(pcap).clean()).isTrue();
        }
    }

    @Test
    void theTsoExampleRunsAServerInTheBackgroundAndShowsSuperPacketsOnOneSegmentOnly() throws Exception {
        Path pcap = Path.of("target", "captures", "cli-tso.pcapng");
        Files.createDirectories(pcap.getParent());
        Outcome o = cli("run", Examples.path("tso.yaml").toString(), "--script", Examples.path("tso.script").toString(),
                "--pcap", pcap.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("[1] h2$ iperf -s -1 &", "[1] Server listening on 5201",
                "[1] Accepted connection from 10.0.1.10", "[1] Done    h2$ iperf -s -1", "tcp-segmentation-offload: on",
                "tcp-segmentation-offload: off", "iperf Done.").containsPattern("4\\.00 MBytes .* sender")
                .containsPattern("ipv4\\.gso_segment \\d+").doesNotContain("still running");
        // The server's lines come as they happen, between the client's command and its own output.
        assertThat(o.out().indexOf("[1] Accepted connection")).isGreaterThan(o.out().indexOf("h1$ iperf -c"));
        assertThat(o.out()).containsPattern("Capture: " + Pattern.quote(pcap.toString())
                + " \\(\\d+ of \\d+ frames: each conversation once, from one segment");
        if (Tshark.available()) {
            // The default capture: the iperf connection from h1's segment only, super-packets and all.
            assertThat(Tshark.judge(pcap).clean()).isTrue();
            List<Map<String, String>> rows = Tshark.fields(pcap, false, "tcp", "frame.interface_name", "frame.len");
            assertThat(rows).extracting(r -> r.get("frame.interface_name")).containsOnly("lan1");
            assertThat(rows).anyMatch(r -> Integer.parseInt(r.get("frame.len")) > 60_000);
        }
    }

    @Test
    void theOtherCaptureViewsHoldEveryFrame(@TempDir Path dir) throws Exception {
        Path pcap = Path.of("target", "captures", "cli-tso-segments.pcapng");
        Outcome o = cli("run", Examples.path("tso.yaml").toString(), "--script", Examples.path("tso.script").toString(),
                "--pcap", pcap.toString(), "--pcap-view", "segments");
        assertThat(o.code()).as(o.err()).isZero();
        Path lan1 = pcap.resolveSibling("cli-tso-segments-lan1.pcapng");
        Path lan2 = pcap.resolveSibling("cli-tso-segments-lan2.pcapng");
        assertThat(o.out()).contains("Capture: " + lan1 + " (", "frames of segment lan1)", "Capture: " + lan2 + " (");
        Path all = dir.resolve("all.pcapng");
        Outcome everything = cli("run", Examples.path("tso.yaml").toString(), "--script",
                Examples.path("tso.script").toString(), "--pcap", all.toString(), "--pcap-view", "all");
        assertThat(everything.out()).containsPattern("\\d+ frames, every frame of every segment");
        assertThat(cli("run", Examples.path("tso.yaml").toString(), "--pcap-view", "some").err())
                .contains("--pcap-view: 'some' is not one of conversations, all, segments");
        if (Tshark.available()) {
            // One segment each, as tcpdump on that link: the router's TSO-less egress carries 1514-byte frames.
            assertThat(Tshark.judge(lan1).clean()).isTrue();
            assertThat(Tshark.judge(lan2).clean()).isTrue();
            assertThat(Tshark.fields(lan1, false, null, "frame.len")).anyMatch(r -> Integer.parseInt(r.get("frame.len")) > 60_000);
            assertThat(Tshark.fields(lan2, false, null, "frame.len")).allMatch(r -> Integer.parseInt(r.get("frame.len")) <= 1514);
            // Virtual time: the same run, so the two files split the file of every frame.
            assertThat(Tshark.judge(lan1).frames() + Tshark.judge(lan2).frames()).isEqualTo(Tshark.judge(all).frames());
        }
    }

    @Test
    void eventsStreamToAFileBesideTheCaptureLineForLineAsTheTimelinePrintsThem(@TempDir Path dir) throws Exception {
        Path quiet = dir.resolve("quiet.pcapng");
        Outcome o = cli("run", Examples.path("three-segments.yaml").toString(), "--script",
                Examples.path("three-segments.script").toString(), "--pcap", quiet.toString());
        assertThat(o.code()).as(o.err()).isZero();
        Path events = dir.resolve("quiet.events");
        java.util.regex.Matcher m = Pattern.compile("Trace: (\\d+) frames \\(\\d+ bytes\\), (\\d+) events").matcher(o.out());
        assertThat(m.find()).as(o.out()).isTrue();
        int counted = Integer.parseInt(m.group(2));
        assertThat(o.out()).contains("Events: " + events + " (" + counted + " events, one line each; --events prints them");
        List<String> lines = Files.readAllLines(events);
        // The summary counts what happened up to it; the nodes' stop events follow in the file.
        assertThat(lines.size()).isGreaterThanOrEqualTo(counted);
        assertThat(o.out()).doesNotContain("ipv4.ttl_expired {"); // no timeline without --events
        // With --events the same run (virtual time) prints the timeline; its event lines are the file's.
        Path loud = dir.resolve("loud.pcapng");
        Outcome l = cli("run", Examples.path("three-segments.yaml").toString(), "--script",
                Examples.path("three-segments.script").toString(), "--pcap", loud.toString(), "--events");
        assertThat(l.code()).as(l.err()).isZero();
        List<String> printed = l.out().lines().filter(x -> x.matches(" *\\d+\\.\\d{6}  \\S+ +[a-z0-9_]+\\.[a-z0-9_]+ \\{.*"))
                .toList();
        assertThat(printed).hasSize(counted).contains(lines.stream().filter(x -> x.contains("ipv4.ttl_expired")).findFirst()
                .orElseThrow());
        assertThat(Files.readAllLines(dir.resolve("loud.events")).subList(0, counted)).isEqualTo(printed);
        assertThat(lines.subList(0, counted)).isEqualTo(printed);
        // The spool the capture was written from is gone.
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".spool"));
        }
    }

    @Test
    void aBackgroundCommandStillRunningWhenTheScriptEndsIsReported(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("bg.script");
        Files.writeString(script, "pc2: iperf -s &\npc1: ping -c 1 10.0.2.10\n");
        Outcome o = cli("run", Examples.path("three-segments.yaml").toString(), "--script", script.toString(),
                "--pcap", dir.resolve("bg.pcapng").toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("[1] pc2$ iperf -s &", "1 packets transmitted, 1 received",
                "[1] pc2$ iperf -s &    (still running when the lab stopped)");
    }

    @Test
    void aBadTopologyGetsEveryProblemWithItsPathAndExitCode2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                name: bad
                segments: [lan]
                nodes:
                  pc1: { kind: host, interfaces: { eth0: { segment: lna, address: 10.0.0.300/24 } } }
                """);
        Outcome o = cli("run", bad.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("nodes.pc1.interfaces.eth0.segment").contains("nodes.pc1.interfaces.eth0.address");
        assertThat(cli("validate", bad.toString()).code()).isEqualTo(2);
        assertThat(cli("validate", Examples.path("three-segments.yaml").toString()).out()).contains("valid");
    }

    @Test
    void badUsageIsExplainedNotThrown(@TempDir Path dir) throws Exception {
        assertThat(cli("run").code()).isEqualTo(2);
        assertThat(cli("run", "no-such-file.yaml").err()).contains("no such file: no-such-file.yaml");
        assertThat(cli("frobnicate").err()).contains("unknown command 'frobnicate'");
        Path script = dir.resolve("s.txt");
        Files.writeString(script, "pc9: ping 10.0.0.1\n");
        Outcome o = cli("run", Examples.path("three-segments.yaml").toString(), "--script", script.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("node 'pc9'");
        Files.writeString(script, "just words\n");
        assertThat(cli("run", Examples.path("three-segments.yaml").toString(), "--script", script.toString()).err())
                .contains("line 1: expected 'node: command'");
        assertThat(cli("run", Examples.path("external-vxlan.yaml").toString()).err())
                .contains("external ports").contains("real time");
    }

    @Test
    void aFailedCommandFailsTheRunUnlessMarkedExpected(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("fail.script");
        Files.writeString(script, "pc1: ping -c 1 198.51.100.7\npc1: ping -c 1 10.0.2.10\n");
        Outcome o = cli("run", Examples.path("three-segments.yaml").toString(), "--script", script.toString(),
                "--pcap", dir.resolve("fail.pcapng").toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("1 command failed", "pc1$ ping -c 1 198.51.100.7");
        assertThat(o.out()).contains("1 packets transmitted, 1 received"); // the rest still ran
        assertThat(dir.resolve("fail.pcapng")).exists();
        Files.writeString(script, "pc1: ping -c 1 198.51.100.7 || true\npc1: ping -c 1 10.0.2.10\n");
        Outcome expected = cli("run", Examples.path("three-segments.yaml").toString(), "--script", script.toString(),
                "--pcap", dir.resolve("ok.pcapng").toString());
        assertThat(expected.code()).as(expected.err()).isZero();
        assertThat(expected.out()).contains("[exit 1] (expected: || true)");
    }

    @Test
    void aCaptureFileThatCannotBeWrittenIsRefusedBeforeTheLabRuns(@TempDir Path dir) throws Exception {
        Outcome intoDir = cli("run", Examples.path("three-segments.yaml").toString(), "--exec", "pc1: ping -c 1 10.0.2.10",
                "--pcap", dir.toString());
        assertThat(intoDir.code()).isEqualTo(2);
        assertThat(intoDir.err()).contains("is a directory");
        assertThat(intoDir.out()).doesNotContain("packets transmitted");
        Outcome missing = cli("run", Examples.path("three-segments.yaml").toString(), "--exec", "pc1: ping -c 1 10.0.2.10",
                "--pcap", dir.resolve("no-such-dir").resolve("x.pcapng").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist");
        assertThat(dir.resolve("no-such-dir")).doesNotExist();
    }
}
