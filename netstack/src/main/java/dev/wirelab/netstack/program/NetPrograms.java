package dev.wirelab.netstack.program;

import java.util.Map;
import java.util.function.Supplier;

/** The socket-API programs every node has, besides the shell's first builtins. */
final class NetPrograms {

    static final Map<String, Supplier<Program>> BUILTIN = Map.of(
            "nc", Nc::new,
            "ss", () -> new SsCommand(false),
            "netstat", () -> new SsCommand(true),
            "echod", () -> new EchoServer(false),
            "discardd", () -> new EchoServer(true),
            "iperf", Iperf::new,
            "iperf3", Iperf::new,
            "hping", Hping::new,
            "hping3", Hping::new);

    private NetPrograms() {
    }
}
