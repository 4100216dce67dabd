package dev.wirelab.netstack.lab.topology;

import java.util.Objects;

/**
 * One thing wrong with a topology: where ({@code path}, e.g. {@code nodes.r1.interfaces.eth1.address},
 * and the line and column in the source text when known) and why.
 *
 * @param path    dotted path of the offending field; list items as {@code routes[0]}; names that are
 *                not plain words quoted as {@code nodes["a.b"]}; {@value #ROOT} for the document itself
 * @param message what is wrong, in words a user can act on
 * @param line    1-based line in the source text, 0 when unknown (e.g. a model built in code)
 * @param column  1-based column in the source text, 0 when unknown
 */
public record Problem(String path, String message, int line, int column) {

    /** Path of problems that concern the whole document (empty file, not a mapping, syntax errors). */
    public static final String ROOT = "(document)";

    public Problem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        if (path.isEmpty()) {
            path = ROOT;
        }
        line = Math.max(0, line);
        column = Math.max(0, column);
    }

    public Problem(String path, String message) {
        this(path, message, 0, 0);
    }

    /** True when the source position is known. */
    public boolean hasLocation() {
        return line > 0;
    }

    /** {@code nodes.r1.kind (line 4, column 11): unknown kind 'rooter' ...}. */
    @Override
    public String toString() {
        return hasLocation()
                ? path + " (line " + line + ", column " + column + "): " + message
                : path + ": " + message;
    }
}
