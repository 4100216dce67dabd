package dev.wirelab.netstack.program;

import dev.wirelab.netstack.node.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Splits a command line like a POSIX shell (quotes, backslashes) and starts the named program. */
public final class Shell {

    private static final Map<String, Supplier<Program>> BUILTIN = Map.of(
            "ping", Ping::new,
            "traceroute", Traceroute::new,
            "ip", IpCommand::new,
            "arp", ArpCommand::new,
            "ethtool", EthtoolCommand::new,
            "sysctl", SysctlCommand::new,
            "dhclient", Dhclient::new,
            "dig", Dig::new,
            "nslookup", Nslookup::new,
            "host", HostCommand::new);

    private Shell() {
    }

    /**
     * Runs on the node's loop. {@code extra} programs (registered on the node) take precedence.
     * A command line ending in an unquoted {@code &} starts the program in the background, as
     * {@code sh -c 'cmd &'} does: the shell is done at once (status 0, no job message, as in a
     * non-interactive shell), the program goes on with its output lines as trace events
     * (layer "program", kind "output"), and it is stopped (as by SIGINT) when the node stops.
     */
    public static void run(Node node, String commandLine, Consumer<String> out, CompletableFuture<Integer> done,
                           Map<String, Supplier<Program>> extra) {
        Parsed parsed;
        try {
            parsed = parse(commandLine);
        } catch (IllegalArgumentException e) {
            out.accept("sh: " + e.getMessage());
            node.event("program", "exit", "command", commandLine, "status", 2);
            done.complete(2);
            return;
        }
        List<String> argv = parsed.words();
        if (argv.isEmpty()) {
            if (parsed.background()) {
                out.accept("sh: syntax error near unexpected token `&'");
                done.complete(2);
                return;
            }
            done.complete(0);
            return;
        }
        if (!parsed.background()) {
            start(node, commandLine, argv, out, done, extra);
            return;
        }
        String name = argv.get(0);
        CompletableFuture<Integer> job = new CompletableFuture<>();
        node.onStop(() -> job.cancel(false));
        node.event("program", "background", "program", name, "command", commandLine);
        start(node, commandLine, argv, line -> node.event("program", "output", "program", name, "line", line), job, extra);
        done.complete(0);
    }

    private static void start(Node node, String commandLine, List<String> argv, Consumer<String> out,
                              CompletableFuture<Integer> done, Map<String, Supplier<Program>> extra) {
        String name = argv.get(0);
        Supplier<Program> factory = extra.getOrDefault(name, BUILTIN.getOrDefault(name,
                NetPrograms.BUILTIN.getOrDefault(name, HttpPrograms.BUILTIN.get(name))));
        node.event("program", "start", "program", name, "command", commandLine);
        if (factory == null) {
            out.accept("sh: " + name + ": command not found");
            node.event("program", "exit", "program", name, "status", 127);
            done.complete(127);
            return;
        }
        ProgramContext ctx = new ProgramContext(node, argv, out, done);
        ctx.guarded(() -> factory.get().start(ctx));
    }

    /** Every program a node can run: the built-in ones and {@code extra} (registered on the node), sorted. */
    public static java.util.SortedSet<String> programNames(Map<String, Supplier<Program>> extra) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>(BUILTIN.keySet());
        names.addAll(NetPrograms.BUILTIN.keySet());
        names.addAll(HttpPrograms.BUILTIN.keySet());
        names.addAll(extra.keySet());
        return names;
    }

    /** A command line's words, and whether it ended in an unquoted {@code &}. */
    public record Parsed(List<String> words, boolean background) {
    }

    /** Shell-like word splitting: whitespace separates, '...' and "..." quote, backslash escapes. */
    public static List<String> split(String line) {
        return parse(line).words();
    }

    /**
     * {@link #split}, and a trailing unquoted, unescaped {@code &} (alone or ending the last word)
     * is taken off and marks the command as one for the background. An {@code &} anywhere else is
     * an ordinary character (there are no command lists).
     */
    public static Parsed parse(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        int plainAmpersand = -1; // index in the line of the last '&' that was neither quoted nor escaped
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                if (c == '&') {
                    plainAmpersand = i;
                }
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unexpected EOF while looking for matching `" + quote + "'");
        }
        if (inWord) {
            words.add(cur.toString());
        }
        boolean background = plainAmpersand >= 0 && plainAmpersand == line.stripTrailing().length() - 1;
        if (background) {
            String last = words.remove(words.size() - 1);
            if (last.length() > 1) {
                words.add(last.substring(0, last.length() - 1));
            }
        }
        return new Parsed(words, background);
    }
}
