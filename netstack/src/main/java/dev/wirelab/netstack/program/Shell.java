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

    /** Runs on the node's loop. {@code extra} programs (registered on the node) take precedence. */
    public static void run(Node node, String commandLine, Consumer<String> out, CompletableFuture<Integer> done,
                           Map<String, Supplier<Program>> extra) {
        List<String> argv;
        try {
            argv = split(commandLine);
        } catch (IllegalArgumentException e) {
            out.accept("sh: " + e.getMessage());
            node.event("program", "exit", "command", commandLine, "status", 2);
            done.complete(2);
            return;
        }
        if (argv.isEmpty()) {
            done.complete(0);
            return;
        }
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

    /** Shell-like word splitting: whitespace separates, '...' and "..." quote, backslash escapes. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
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
        return words;
    }
}
