package dev.wirelab.netstack.lab.topology;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while a topology is read and checked; node kinds report theirs here too. */
public final class Problems {

    private final List<Problem> list = new ArrayList<>();

    /** Reports a problem at a source node: its path and position. */
    public void add(SourceNode at, String message) {
        list.add(new Problem(at.path(), message, at.line(), at.column()));
    }

    /** Reports a problem at a path, without a source position (checks on a model). */
    public void add(String path, String message) {
        list.add(new Problem(path, message));
    }

    public void add(Problem problem) {
        list.add(problem);
    }

    /** True when some problem was reported at {@code path} or below it (used to avoid cascades). */
    public boolean hasAtOrUnder(String path) {
        for (Problem p : list) {
            String q = p.path();
            if (q.equals(path) || (q.startsWith(path)
                    && (q.charAt(path.length()) == '.' || q.charAt(path.length()) == '['))) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public int size() {
        return list.size();
    }

    public List<Problem> toList() {
        return List.copyOf(list);
    }
}
