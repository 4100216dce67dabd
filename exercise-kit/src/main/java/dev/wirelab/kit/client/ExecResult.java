package dev.wirelab.kit.client;

import java.util.List;

/**
 * How a program run on a node ended.
 *
 * @param exitCode       its exit status (124 when it did not finish in the time allowed)
 * @param output         every line it printed
 * @param startedAtNanos lab time when it started
 * @param endedAtNanos   lab time when it ended
 */
public record ExecResult(String node, String command, int exitCode, boolean timedOut, List<String> output,
                         long startedAtNanos, long endedAtNanos) {

    /** The output as one text, a line each. */
    public String text() {
        return String.join("\n", output);
    }

    @Override
    public String toString() {
        return node + "$ " + command + " (exit " + exitCode + ")\n" + text();
    }
}
