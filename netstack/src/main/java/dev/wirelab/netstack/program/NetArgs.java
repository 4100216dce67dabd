package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command lines of the network programs: GNU-style long options ({@code --mode epoll},
 * {@code --mode=epoll}, {@code --flood}) taken out first, the rest parsed by {@link GetOpt}.
 */
final class NetArgs {

    final Map<String, String> longs = new LinkedHashMap<>();
    final GetOpt shorts;

    private NetArgs(GetOpt shorts) {
        this.shorts = shorts;
    }

    /**
     * @param withValue long options that take a value
     * @param flags     long options without a value
     */
    static NetArgs parse(String program, List<String> args, String shortSpec, Set<String> withValue, Set<String> flags) {
        List<String> rest = new ArrayList<>();
        Map<String, String> longs = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            if (!a.startsWith("--")) {
                rest.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (withValue.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new GetOpt.UsageException(program + ": option '--" + name + "' requires an argument");
                    }
                    value = args.get(++i);
                }
                longs.put(name, value);
            } else if (flags.contains(name) && value == null) {
                longs.put(name, "");
            } else {
                throw new GetOpt.UsageException(program + ": unrecognized option '--" + name + "'");
            }
        }
        NetArgs n = new NetArgs(GetOpt.parse(program, rest, shortSpec));
        n.longs.putAll(longs);
        return n;
    }

    boolean has(String longName) {
        return longs.containsKey(longName);
    }

    String get(String longName) {
        return longs.get(longName);
    }

    List<String> operands() {
        return shorts.operands;
    }

    static Ipv4Address address(String program, String text) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new GetOpt.UsageException(program + ": " + text + ": Name or service not known");
        }
    }

    static int port(String program, String text) {
        return GetOpt.intIn(text, 1, 65535, program + ": port number invalid: " + text);
    }

    static SockAddr sockaddr(String program, String host, String port) {
        return new SockAddr(address(program, host), port(program, port));
    }

    /** Seconds as a decimal ("0.5") to nanoseconds. */
    static long seconds(String program, String text) {
        try {
            double d = Double.parseDouble(text);
            if (d < 0 || d > 1e7 || Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return (long) (d * 1e9);
        } catch (NumberFormatException e) {
            throw new GetOpt.UsageException(program + ": invalid time: " + text);
        }
    }

    /** Sizes as iperf takes them: 128K, 10M, 1G (binary multiples). */
    static long size(String program, String text) {
        try {
            long mult = 1;
            String t = text;
            char last = Character.toUpperCase(t.charAt(t.length() - 1));
            if (last == 'K' || last == 'M' || last == 'G') {
                mult = last == 'K' ? 1024 : last == 'M' ? 1024 * 1024 : 1024L * 1024 * 1024;
                t = t.substring(0, t.length() - 1);
            }
            long v = (long) (Double.parseDouble(t) * mult);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (RuntimeException e) {
            throw new GetOpt.UsageException(program + ": invalid size: " + text);
        }
    }

    /** /etc/services names of the ports labs use, as nc -v prints them. */
    static String service(int port, boolean udp) {
        return switch (port) {
            case 7 -> "echo";
            case 9 -> "discard";
            case 13 -> "daytime";
            case 19 -> "chargen";
            case 21 -> udp ? "*" : "ftp";
            case 22 -> "ssh";
            case 23 -> udp ? "*" : "telnet";
            case 25 -> udp ? "*" : "smtp";
            case 53 -> "domain";
            case 67 -> udp ? "bootps" : "*";
            case 68 -> udp ? "bootpc" : "*";
            case 80 -> "http";
            case 123 -> "ntp";
            case 443 -> "https";
            default -> "*";
        };
    }
}
