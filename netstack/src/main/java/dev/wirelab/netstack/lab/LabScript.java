package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.Units;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands to run on a lab, one after the other, as a text file:
 * <pre>
 * # comment
 * pc1: ping -c 3 10.0.2.10     # runs on pc1; the next line waits until it ends
 * pc2: iperf -s -1 &           # '&' at the end: runs in the background, the next line starts at once
 * pc1: ping -c 1 -t 1 10.0.2.10 || true   # expected to fail: does not make the script fail
 * sleep 2s                     # lets lab time pass
 * </pre>
 * The same script, topology and seed give the same trace in virtual time.
 */
public record LabScript(List<Step> steps) {

    /** One line of a script: a command on a node, or a pause. */
    public sealed interface Step permits Command, Sleep {
    }

    /**
     * A command on a node; {@code background} (a trailing {@code &}, as in a shell) does not wait for
     * it; {@code mayFail} (a trailing {@code || true}, as in a shell) means a non-zero exit status
     * is expected and does not make the script fail.
     */
    public record Command(String node, String command, boolean background, boolean mayFail) implements Step {
        public Command(String node, String command) {
            this(node, command, false, false);
        }

        public Command(String node, String command, boolean background) {
            this(node, command, background, false);
        }
    }

    public record Sleep(Duration duration) implements Step {
    }

    public LabScript {
        steps = List.copyOf(steps);
    }

    /** Parses a script; a bad line is reported with its number and what was expected. */
    public static LabScript parse(String text) {
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            steps.add(parseStep(line, i + 1));
        }
        return new LabScript(steps);
    }

    /** Parses one "node: command" or "sleep DURATION" line. */
    public static Step parseStep(String line, int lineNumber) {
        if (line.startsWith("sleep ") || line.equals("sleep")) {
            String arg = line.substring(5).strip();
            try {
                return new Sleep(Duration.ofNanos(Units.parseDurationNanos(arg)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + lineNumber + ": sleep needs a duration like 2s or 500ms, got '"
                        + arg + "'");
            }
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("line " + lineNumber + ": expected 'node: command' or 'sleep 2s', got '"
                    + line + "'");
        }
        String node = line.substring(0, colon).strip();
        String command = line.substring(colon + 1).strip();
        if (!node.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("line " + lineNumber + ": '" + node + "' is not a node name");
        }
        boolean background = command.endsWith("&") && !command.endsWith("&&");
        if (background) {
            command = command.substring(0, command.length() - 1).strip();
        }
        boolean mayFail = command.matches(".*\\|\\|\\s*true");
        if (mayFail) {
            command = command.substring(0, command.lastIndexOf("||")).strip();
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("line " + lineNumber + ": no command after '" + node + ":'");
        }
        return new Command(node, command, background, mayFail);
    }

    private static String stripComment(String line) {
        // A '#' starts a comment at the line start or after whitespace (so "a#b" in a command stays).
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
