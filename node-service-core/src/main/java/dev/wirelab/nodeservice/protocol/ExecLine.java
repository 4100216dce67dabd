package dev.wirelab.nodeservice.protocol;

/**
 * One line of {@code POST /exec}'s NDJSON answer: a printed line ({@code output}), or the last line
 * with the exit ({@code exit}).
 */
public record ExecLine(String output, Exit exit) {

    /**
     * @param exitCode       exit status; 124 when the program did not end in time (as timeout(1))
     * @param startedAtNanos lab time when it started
     * @param endedAtNanos   lab time when it ended or was given up
     */
    public record Exit(int exitCode, boolean timedOut, long startedAtNanos, long endedAtNanos) {
    }

    public static final int TIMED_OUT = 124;

    public static ExecLine output(String line) {
        return new ExecLine(line, null);
    }

    public static ExecLine exit(Exit exit) {
        return new ExecLine(null, exit);
    }
}
