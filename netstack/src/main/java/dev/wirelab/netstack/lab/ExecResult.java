package dev.wirelab.netstack.lab;

import java.util.List;

/**
 * What a program run on a node printed, and how it ended.
 *
 * @param node     node it ran on
 * @param command  the command line
 * @param exitCode exit status (0 success; 124 when the lab gave up waiting, as timeout(1) says)
 * @param output   its output lines
 */
public record ExecResult(String node, String command, int exitCode, List<String> output) {

    /** Exit status when the program did not finish within the time allowed. */
    public static final int TIMED_OUT = 124;

    public ExecResult {
        output = List.copyOf(output);
    }

    public String text() {
        return String.join("\n", output);
    }
}
