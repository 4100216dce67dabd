package dev.wirelab.netstack.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * tshark as the outside judge of our captures: it must find zero malformed packets and zero bad
 * checksums (with IP, UDP and TCP checksum validation switched on; ICMP is always checked), and
 * its own decode of each field must agree with ours.
 */
public final class Tshark {

    /** Every checksum tshark can verify, switched on. */
    private static final List<String> VALIDATE = List.of(
            "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE");

    /** Frames tshark flags: malformed, a bad checksum of any layer, or any error-level expert info. */
    public static final String PROBLEM_FILTER = "_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0"
            + " || tcp.checksum.status == 0 || icmp.checksum.status == 0 || _ws.expert.severity >= 0x00800000";

    private Tshark() {
    }

    public static boolean available() {
        try {
            return run(List.of("tshark", "-v")).exitCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** What tshark thinks of a capture. */
    public record Verdict(int frames, List<String> problems) {
        public boolean clean() {
            return frames > 0 && problems.isEmpty();
        }
    }

    public static Verdict judge(Path capture) throws IOException {
        List<String> count = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-e", "frame.number"));
        Result all = run(count);
        if (all.exitCode != 0) {
            throw new IOException("tshark could not read " + capture + ": " + all.stderr);
        }
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString()));
        cmd.addAll(VALIDATE);
        cmd.addAll(List.of("-Y", PROBLEM_FILTER));
        Result bad = run(cmd);
        if (bad.exitCode != 0) {
            throw new IOException("tshark failed on " + capture + ": " + bad.stderr);
        }
        return new Verdict(lines(all.stdout).size(), lines(bad.stdout));
    }

    /**
     * tshark's decode as rows of the named fields (one row per frame, {@code -T fields}); a field
     * that occurs more than once in a frame (e.g. the IP header quoted in an ICMP error) keeps its
     * values comma-separated, outermost first.
     */
    public static List<Map<String, String>> fields(Path capture, boolean defragment, String displayFilter, String... fields)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                "-o", "ip.defragment:" + (defragment ? "TRUE" : "FALSE")));
        cmd.addAll(VALIDATE);
        if (displayFilter != null) {
            cmd.addAll(List.of("-Y", displayFilter));
        }
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Result r = run(cmd);
        if (r.exitCode != 0) {
            throw new IOException("tshark failed: " + r.stderr);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines(r.stdout)) {
            String[] cols = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i++) {
                row.put(fields[i], i < cols.length ? cols[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    /** The first value of a possibly repeated field ("64,63" -> "64"). */
    public static String first(String value) {
        int comma = value.indexOf(',');
        return comma < 0 ? value : value.substring(0, comma);
    }

    private static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).toList();
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result run(List<String> cmd) throws IOException {
        Path out = Files.createTempFile("tshark", ".out");
        Path err = Files.createTempFile("tshark", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tshark did not finish in 120 s: " + cmd);
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.contains("Running as user \"root\"")).reduce("", (a, b) -> a + b + "\n");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running tshark", e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
