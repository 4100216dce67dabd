package dev.wirelab.netstack.lab.topology;

import java.util.List;

/**
 * A topology that cannot be used, with every problem found (not just the first). The message lists
 * them one per line, so printing it is enough for a user to fix the file.
 */
public final class TopologyException extends RuntimeException {

    private final transient List<Problem> problems;

    public TopologyException(List<Problem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a TopologyException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in document order as far as possible; never empty. */
    public List<Problem> problems() {
        return problems;
    }

    private static String format(List<Problem> problems) {
        StringBuilder sb = new StringBuilder("invalid topology (")
                .append(problems.size()).append(problems.size() == 1 ? " problem)" : " problems)");
        for (Problem p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
