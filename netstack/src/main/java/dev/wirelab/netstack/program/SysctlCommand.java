package dev.wirelab.netstack.program;

import dev.wirelab.netstack.tcp.TcpConfig;
import dev.wirelab.netstack.tcp.TcpLayer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code sysctl KEY}, {@code sysctl -w KEY=VALUE}, {@code sysctl -a}: the node's TCP settings under
 * the names Linux gives them ({@code net.ipv4.tcp_syncookies}...), with procps' wording. A change
 * applies to new connections and listeners' next SYNs, as in Linux, and is a {@code sysctl/set}
 * event on the timeline.
 */
final class SysctlCommand implements Program {

    private static final long S = 1_000_000_000L;

    /** A setting: how to read it from the configuration, and how to write it (null: the value is refused). */
    private record Key(Function<TcpConfig, String> read, BiFunction<TcpConfig, String, TcpConfig> write) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("net.ipv4.ip_local_port_range", new Key(c -> c.ephemeralLow() + "\t" + c.ephemeralHigh(), (c, v) -> {
            String[] p = v.trim().split("\\s+");
            return p.length == 2 ? c.withEphemeralRange(Integer.parseInt(p[0]), Integer.parseInt(p[1])) : null;
        }));
        KEYS.put("net.ipv4.tcp_fin_timeout", new Key(c -> String.valueOf(c.finTimeoutNanos() / S),
                (c, v) -> c.withFinTimeout(positive(v) * S)));
        KEYS.put("net.ipv4.tcp_max_syn_backlog", new Key(c -> String.valueOf(c.maxSynBacklog()),
                (c, v) -> c.withMaxSynBacklog((int) positive(v))));
        KEYS.put("net.ipv4.tcp_retries2", new Key(c -> String.valueOf(c.retries2()),
                (c, v) -> c.withRetries(c.synRetries(), c.synAckRetries(), (int) positive(v))));
        KEYS.put("net.ipv4.tcp_syn_retries", new Key(c -> String.valueOf(c.synRetries()),
                (c, v) -> c.withRetries((int) positive(v), c.synAckRetries(), c.retries2())));
        KEYS.put("net.ipv4.tcp_synack_retries", new Key(c -> String.valueOf(c.synAckRetries()),
                (c, v) -> c.withRetries(c.synRetries(), (int) positive(v), c.retries2())));
        KEYS.put("net.ipv4.tcp_syncookies", new Key(c -> String.valueOf(c.syncookies()),
                (c, v) -> c.withSyncookies(Integer.parseInt(v.trim()))));
        KEYS.put("net.ipv4.tcp_timestamps", new Key(c -> c.timestamps() ? "1" : "0",
                (c, v) -> c.withRfc7323(bool(v), c.windowScaling())));
        KEYS.put("net.ipv4.tcp_window_scaling", new Key(c -> c.windowScaling() ? "1" : "0",
                (c, v) -> c.withRfc7323(c.timestamps(), bool(v))));
    }

    private static long positive(String v) {
        long n = Long.parseLong(v.trim());
        if (n < 1) {
            throw new IllegalArgumentException(v);
        }
        return n;
    }

    private static boolean bool(String v) {
        return switch (v.trim()) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new IllegalArgumentException(v);
        };
    }

    @Override
    public void start(ProgramContext ctx) {
        List<String> a = ctx.args();
        TcpLayer tcp = TcpLayer.of(ctx.node());
        if (a.size() == 1 && (a.get(0).equals("-a") || a.get(0).equals("--all"))) {
            KEYS.forEach((k, key) -> ctx.println(k + " = " + key.read().apply(tcp.config())));
            ctx.exit(0);
            return;
        }
        boolean write = !a.isEmpty() && a.get(0).equals("-w");
        List<String> names = write ? a.subList(1, a.size()) : a;
        if (names.isEmpty()) {
            ctx.println("Usage: sysctl [-a] [-w] KEY[=VALUE]... (keys: " + String.join(", ", KEYS.keySet()) + ")");
            ctx.exit(1);
            return;
        }
        int status = 0;
        for (String arg : names) {
            int eq = arg.indexOf('=');
            if (write != (eq >= 0)) {
                ctx.println(write ? "sysctl: \"" + arg + "\" must be of the form name=value"
                        : "sysctl: cannot stat /proc/sys/" + arg.replace('.', '/') + ": No such file or directory");
                status = 255;
                continue;
            }
            String name = write ? arg.substring(0, eq).trim() : arg;
            Key key = KEYS.get(name);
            if (key == null) {
                ctx.println("sysctl: cannot stat /proc/sys/" + name.replace('.', '/') + ": No such file or directory");
                status = 255;
                continue;
            }
            if (write) {
                String value = arg.substring(eq + 1);
                TcpConfig changed;
                try {
                    changed = key.write().apply(tcp.config(), value);
                } catch (IllegalArgumentException e) { // NumberFormatException too
                    changed = null;
                }
                if (changed == null) {
                    ctx.println("sysctl: setting key \"" + name + "\": Invalid argument");
                    status = 255;
                    continue;
                }
                tcp.setConfig(changed);
                ctx.node().event("sysctl", "set", "key", name, "value", key.read().apply(changed));
            }
            ctx.println(name + " = " + key.read().apply(tcp.config()));
        }
        ctx.exit(status);
    }
}
