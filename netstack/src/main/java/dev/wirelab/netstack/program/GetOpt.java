package dev.wirelab.netstack.program;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * POSIX getopt for short options: {@code spec} lists option letters, a ':' after a letter means it
 * takes a value ({@code -c 3} or {@code -c3}); flags may be grouped ({@code -nq}); "--" ends options.
 * Options and operands may be mixed, as GNU getopt allows.
 */
final class GetOpt {

    final Map<Character, String> options = new HashMap<>();
    final List<String> operands = new ArrayList<>();

    private GetOpt() {
    }

    static GetOpt parse(String program, List<String> args, String spec) {
        GetOpt g = new GetOpt();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                g.operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                g.operands.add(a);
                continue;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                int at = spec.indexOf(c);
                if (at < 0 || c == ':') {
                    throw new UsageException(program + ": invalid option -- '" + c + "'");
                }
                boolean takesValue = at + 1 < spec.length() && spec.charAt(at + 1) == ':';
                if (!takesValue) {
                    g.options.put(c, "");
                    continue;
                }
                if (j + 1 < a.length()) {
                    g.options.put(c, a.substring(j + 1));
                } else if (i + 1 < args.size()) {
                    g.options.put(c, args.get(++i));
                } else {
                    throw new UsageException(program + ": option requires an argument -- '" + c + "'");
                }
                break;
            }
        }
        return g;
    }

    boolean has(char c) {
        return options.containsKey(c);
    }

    String get(char c) {
        return options.get(c);
    }

    /** Bad command-line usage: the message is printed and the program exits with status 2. */
    /** An integer option value in [min, max]; anything else is a usage error with {@code error} as message. */
    static int intIn(String s, int min, int max, String error) {
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw new UsageException(error);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(error);
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
