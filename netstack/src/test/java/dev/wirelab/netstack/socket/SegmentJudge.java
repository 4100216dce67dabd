package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.testkit.Tshark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * tshark's judgement of a lab capture, one segment (pcapng interface) at a time: a routed TCP
 * stream appears once per hop in the whole file, and tshark's TCP reassembly would call the
 * second copy of each segment an overlap ("retransmission?"). Each segment on its own is a
 * single vantage point, as a real capture is.
 */
final class SegmentJudge {

    private SegmentJudge() {
    }

    /** Problems tshark finds, prefixed by segment; empty when every segment is clean. */
    static List<String> problems(Path capture) throws IOException {
        Set<String> segments = new LinkedHashSet<>();
        for (Map<String, String> row : Tshark.fields(capture, false, null, "frame.interface_name")) {
            segments.add(row.get("frame.interface_name"));
        }
        List<String> out = new ArrayList<>();
        for (String seg : segments) {
            Path part = capture.resolveSibling(capture.getFileName() + "." + seg + ".pcapng");
            run(List.of("tshark", "-r", capture.toString(), "-Y", "frame.interface_name == \"" + seg + "\"", "-w",
                    part.toString()));
            for (String p : Tshark.judge(part).problems()) {
                out.add(seg + ": " + p);
            }
            Files.deleteIfExists(part);
        }
        return out;
    }

    private static void run(List<String> cmd) throws IOException {
        java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("failed: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }
}
