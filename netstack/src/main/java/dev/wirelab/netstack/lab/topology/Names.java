package dev.wirelab.netstack.lab.topology;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;

/** Name rules and "did you mean" suggestions. */
public final class Names {

    /** Names of segments, nodes, interfaces, ports and the topology: letters, digits, '_', '.', '-'. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Longest node, segment, port or topology name (a DNS label's length). */
    public static final int MAX_NAME = 63;

    /** Longest interface name: Linux IFNAMSIZ (16) minus the terminating NUL. */
    public static final int MAX_INTERFACE_NAME = 15;

    private Names() {
    }

    /** Why {@code name} is not acceptable, or null when it is. */
    public static String nameProblem(String name, int maxLength) {
        if (name.isEmpty()) {
            return "a name must not be empty";
        }
        if (!NAME.matcher(name).matches()) {
            return "'" + name + "' is not a valid name: use only letters, digits, '_', '.' and '-'";
        }
        if (name.length() > maxLength) {
            return "'" + name + "' is too long (" + name.length() + " characters, at most " + maxLength + ")";
        }
        return null;
    }

    /** The candidate closest to {@code word} when it looks like a typo of it, else null. */
    public static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null || best.equals(word)) {
            return null;
        }
        int limit = word.length() <= 3 ? 1 : word.length() <= 8 ? 2 : 3;
        return bestDistance <= limit ? best : null;
    }

    /** "; did you mean 'x'?" or "". */
    public static String didYouMean(String word, Collection<String> candidates) {
        String c = closest(word, candidates);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    /** Quoted, comma separated list for messages: 'a', 'b', 'c'. */
    public static String list(Collection<String> names) {
        if (names.isEmpty()) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append('\'').append(n).append('\'');
        }
        return sb.toString();
    }

    /** Optimal string alignment distance: edits, with a swap of two neighbours counting as one. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3) {
            return Integer.MAX_VALUE / 2;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
