package dev.wirelab.netstack.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * tshark as the outside judge of our captures: it must find zero malformed packets, zero bad
 * checksums (with IP, UDP and TCP checksum validation switched on; ICMP is always checked) and no
 * expert information of severity "error", both with those checks on and with Wireshark's default
 * preferences (what a user who opens the file sees); and its own decode of each field must agree
 * with ours.
 *
 * <p>One thing tshark cannot judge: the TCP or UDP checksum of a datagram quoted, truncated, in an
 * ICMP error. The quote holds the first bytes only (RFC 1812 section 4.3.2.3: up to a 576-byte ICMP
 * datagram), yet tshark (4.0 at least: packet-ip.c leaves the quoted datagram's length at what is
 * there, packet-tcp.c then checksums it) sums what is there and calls the checksum bad. It does so
 * for Linux's quotes too (a Linux router with a 576-byte next hop: every "fragmentation needed"
 * flagged). Such a frame is accepted only if the quote is, byte for byte, the beginning of a
 * datagram in the same capture whose checksum tshark did verify: then the quoted checksum is the one
 * that was right on the wire.
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

    /** PI_ERROR and PI_CHECKSUM of epan/proto.h. */
    private static final long SEVERITY_ERROR = 0x00800000L;
    private static final long GROUP_CHECKSUM = 0x01000000L;
    /** Between the values of a repeated field: a character no expert message holds. */
    private static final String AGGREGATOR = "\u001f";

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
        List<String> problems = new ArrayList<>();
        // Wireshark's default preferences: every frame, with its expert infos.
        List<Map<String, String>> all = table(capture, List.of(), null, "frame.number", "_ws.expert.severity",
                "_ws.expert.message", "_ws.malformed");
        for (Map<String, String> row : all) {
            if (values(row.get("_ws.expert.severity")).stream().anyMatch(v -> Long.decode(v) >= SEVERITY_ERROR)) {
                problems.add("frame " + row.get("frame.number") + " (default preferences): "
                        + String.join("; ", errorMessages(row)));
            }
        }
        // Every checksum checked.
        List<Map<String, String>> flagged = table(capture, VALIDATE, PROBLEM_FILTER, "frame.number", "_ws.malformed",
                "_ws.expert.severity", "_ws.expert.group", "_ws.expert.message", "ip.checksum.status",
                "icmp.checksum.status", "icmp.type");
        List<byte[]> bytes = null;
        Set<Integer> verified = null;
        for (Map<String, String> row : flagged) {
            int number = Integer.parseInt(row.get("frame.number"));
            if (onlyQuotedChecksums(row)) {
                if (bytes == null) {
                    bytes = CaptureFrames.read(capture);
                    verified = new HashSet<>();
                    for (Map<String, String> r : table(capture, VALIDATE,
                            "!icmp && (tcp.checksum.status == 1 || udp.checksum.status == 1)", "frame.number")) {
                        verified.add(Integer.parseInt(r.get("frame.number")));
                    }
                }
                if (quoteOfVerifiedDatagram(bytes, number, verified)) {
                    continue;
                }
            }
            problems.add("frame " + number + ": " + String.join("; ", errorMessages(row)));
        }
        return new Verdict(all.size(), problems);
    }

    /**
     * An ICMP error whose only error-level expert infos are bad checksums, with its own ICMP checksum
     * and every IP header checksum (its own and the quoted one) right: the bad one is then the quoted
     * TCP or UDP checksum.
     */
    private static boolean onlyQuotedChecksums(Map<String, String> row) {
        if (!row.get("_ws.malformed").isEmpty() || !Set.of("3", "4", "5", "11", "12").contains(row.get("icmp.type"))) {
            return false;
        }
        if (!verifiedGood(row.get("icmp.checksum.status")) || !verifiedGood(row.get("ip.checksum.status"))) {
            return false;
        }
        List<String> severities = values(row.get("_ws.expert.severity"));
        List<String> groups = values(row.get("_ws.expert.group"));
        for (int i = 0; i < severities.size(); i++) {
            if (Long.decode(severities.get(i)) >= SEVERITY_ERROR
                    && (i >= groups.size() || Long.decode(groups.get(i)) != GROUP_CHECKSUM)) {
                return false;
            }
        }
        return true;
    }

    /** A checksum status of each occurrence, outermost first: the outermost verified, none bad. */
    private static boolean verifiedGood(String statuses) {
        List<String> v = values(statuses);
        return !v.isEmpty() && v.get(0).equals("1") && !v.contains("0");
    }

    /**
     * Whether frame {@code number} (an ICMP error) quotes a truncated datagram whose bytes begin,
     * exactly, a datagram of another frame whose TCP or UDP checksum tshark verified.
     */
    private static boolean quoteOfVerifiedDatagram(List<byte[]> frames, int number, Set<Integer> verified) {
        byte[] f = frames.get(number - 1);
        int ip = ipv4Offset(f);
        if (ip < 0 || (f[ip + 9] & 0xFF) != 1) {
            return false;
        }
        int end = Math.min(f.length, ip + u16(f, ip + 2));
        int quote = ip + (f[ip] & 0x0F) * 4 + 8;
        if (quote + 20 > end || u16(f, quote + 2) <= end - quote) {
            return false; // nothing quoted, or the whole datagram: then its checksum must verify
        }
        int length = end - quote;
        for (int n : verified) {
            byte[] g = frames.get(n - 1);
            int at = ipv4Offset(g);
            if (n != number && at >= 0 && g.length - at >= length
                    && Arrays.equals(f, quote, end, g, at, at + length)) {
                return true;
            }
        }
        return false;
    }

    /** Where the IPv4 header of an Ethernet frame starts (after any 802.1Q/802.1ad tags), or -1. */
    private static int ipv4Offset(byte[] f) {
        int at = 12;
        while (at + 2 <= f.length && (u16(f, at) == 0x8100 || u16(f, at) == 0x88A8)) {
            at += 4;
        }
        return at + 2 + 20 <= f.length && u16(f, at) == 0x0800 ? at + 2 : -1;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static List<String> errorMessages(Map<String, String> row) {
        List<String> severities = values(row.get("_ws.expert.severity"));
        List<String> messages = values(row.get("_ws.expert.message"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < severities.size() && i < messages.size(); i++) {
            if (Long.decode(severities.get(i)) >= SEVERITY_ERROR) {
                out.add(messages.get(i));
            }
        }
        if (out.isEmpty()) {
            out.add("bad checksum");
        }
        return out;
    }

    private static List<String> values(String aggregated) {
        return aggregated == null || aggregated.isEmpty() ? List.of() : List.of(aggregated.split(AGGREGATOR, -1));
    }

    /** Rows of the named fields, repeated values joined by {@link #AGGREGATOR}. */
    private static List<Map<String, String>> table(Path capture, List<String> preferences, String displayFilter,
                                                   String... fields) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR));
        cmd.addAll(preferences);
        if (displayFilter != null) {
            cmd.addAll(List.of("-Y", displayFilter));
        }
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Result r = run(cmd);
        if (r.exitCode != 0) {
            throw new IOException("tshark failed on " + capture + ": " + r.stderr);
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
