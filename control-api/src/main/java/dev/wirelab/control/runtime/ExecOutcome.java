package dev.wirelab.control.runtime;

import java.util.List;

/**
 * How a program run over the API ended.
 *
 * @param exitCode        its exit status; 124 when it did not finish in the time allowed (as timeout(1))
 * @param output          every line it printed
 * @param startedAtNanos  lab time when it started
 * @param endedAtNanos    lab time when it ended (or was given up)
 */
public record ExecOutcome(String node, String command, int exitCode, boolean timedOut, List<String> output,
                          long startedAtNanos, long endedAtNanos) {

    public static final int TIMED_OUT = 124;
}
