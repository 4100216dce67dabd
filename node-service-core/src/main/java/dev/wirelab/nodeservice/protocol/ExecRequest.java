package dev.wirelab.nodeservice.protocol;

/**
 * A program to run on the node.
 *
 * @param command       the command line, as on the embedded runtime (e.g. {@code ping -c 3 10.0.2.10})
 * @param timeoutMillis time allowed; a program still running then is stopped (exit 124)
 */
public record ExecRequest(String command, long timeoutMillis) {
}
