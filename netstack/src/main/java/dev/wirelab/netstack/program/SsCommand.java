package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.Kernel;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.SocketInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ss} (iproute2) and {@code netstat} (net-tools) over the node's sockets: TCP from the
 * engine (every state, TIME-WAIT and not-yet-accepted connections included), UDP and raw sockets
 * from the socket layer. As on Linux, a listener's Recv-Q is its accept queue; ss shows its
 * backlog as Send-Q, netstat shows 0 there. Options: -t -u -w -a -l -n -p -i -H (ss);
 * -t -u -a -l -n -p (netstat). Addresses are always numeric.
 */
final class SsCommand implements Program {

    private final boolean netstat;

    SsCommand(boolean netstat) {
        this.netstat = netstat;
    }

    @Override
    public void start(ProgramContext ctx) {
        GetOpt o;
        try {
            o = GetOpt.parse(ctx.name(), ctx.args(), netstat ? "tuwalnpe" : "tuwalnpiHe");
        } catch (GetOpt.UsageException e) {
            ctx.println(e.getMessage());
            ctx.exit(netstat ? 1 : 255);
            return;
        }
        boolean tcp = o.has('t');
        boolean udp = o.has('u');
        boolean raw = o.has('w');
        if (!tcp && !udp && !raw) {
            tcp = true;
            udp = true;
        }
        Kernel k = Kernel.of(ctx.node());
        List<SocketInfo> all = new ArrayList<>();
        if (tcp) {
            all.addAll(k.tcpSockets());
        }
        if (udp || raw) {
            for (SocketInfo s : k.datagramSockets()) {
                if ((udp && s.protocol().equals("udp")) || (raw && s.protocol().equals("raw"))) {
                    all.add(s);
                }
            }
        }
        boolean listening = o.has('l');
        boolean everything = o.has('a');
        java.util.Set<String> states = null;
        if (!netstat && !o.operands.isEmpty()) {
            // ss FILTER: "state NAME" (repeatable), as iproute2 takes it
            states = new java.util.HashSet<>();
            List<String> ops = o.operands;
            for (int i = 0; i < ops.size(); i++) {
                if (!ops.get(i).equals("state") || i + 1 >= ops.size()) {
                    ctx.println("ss: bad filter: " + String.join(" ", ops));
                    ctx.exit(255);
                    return;
                }
                String want = ops.get(++i);
                switch (want) {
                    case "all" -> states.addAll(List.of("ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
                            "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "UNCONN"));
                    case "connected" -> states.addAll(List.of("ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
                            "FIN-WAIT-2", "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK", "CLOSING"));
                    case "listening" -> states.addAll(List.of("LISTEN", "UNCONN"));
                    case "established" -> states.add("ESTAB");
                    case "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait", "close-wait", "last-ack",
                         "closing" -> states.add(want.toUpperCase(Locale.ROOT));
                    default -> {
                        ctx.println("ss: wrong state name: " + want);
                        ctx.exit(255);
                        return;
                    }
                }
            }
        }
        List<SocketInfo> rows = new ArrayList<>();
        for (SocketInfo s : all) {
            if (states != null) {
                if (states.contains(s.state())) {
                    rows.add(s);
                }
                continue;
            }
            boolean isListener = s.state().equals("LISTEN") || s.state().equals("UNCONN");
            if (s.state().equals("CLOSED")) {
                if (everything) {
                    rows.add(s);
                }
                continue;
            }
            if (everything || (listening ? isListener : !isListener)) {
                rows.add(s);
            }
        }
        boolean multi = (tcp ? 1 : 0) + (udp ? 1 : 0) + (raw ? 1 : 0) > 1;
        if (netstat) {
            printNetstat(ctx, rows, everything, listening, o.has('p'));
        } else {
            printSs(ctx, rows, multi, o.has('p'), o.has('i'), o.has('H'));
        }
        ctx.exit(0);
    }

    private static String users(SocketInfo s) {
        if (s.owners().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("users:(");
        for (int i = 0; i < s.owners().size(); i++) {
            SocketInfo.Owner w = s.owners().get(i);
            b.append(i == 0 ? "" : ",").append("(\"").append(w.program()).append("\",pid=").append(w.pid())
                    .append(",fd=").append(w.fd()).append(")");
        }
        return b.append(")").toString();
    }

    private static String port(SockAddr a, boolean peer) {
        return peer && a == null ? "*" : String.valueOf(a.port());
    }

    private static String address(SockAddr a, boolean wildcardStar) {
        return a == null ? (wildcardStar ? "*" : "0.0.0.0") : a.address().toString();
    }

    /** iproute2 ss: columns sized to their content, addresses right-aligned before ":port". */
    private static void printSs(ProgramContext ctx, List<SocketInfo> rows, boolean netid, boolean users, boolean info,
                                boolean noHeader) {
        int stateW = "State".length();
        int rq = "Recv-Q".length();
        int sq = "Send-Q".length();
        int la = 0;
        int lp = 0;
        int pa = 0;
        int pp = 0;
        for (SocketInfo s : rows) {
            stateW = Math.max(stateW, s.state().length());
            rq = Math.max(rq, String.valueOf(s.recvQ()).length());
            sq = Math.max(sq, String.valueOf(s.sendQ()).length());
            la = Math.max(la, address(s.local(), false).length());
            lp = Math.max(lp, port(s.local(), false).length());
            pa = Math.max(pa, address(s.peer(), false).length());
            pp = Math.max(pp, port(s.peer(), true).length());
        }
        String localHead = "Local Address:Port";
        String peerHead = "Peer Address:Port";
        la = Math.max(la, localHead.indexOf(':'));
        lp = Math.max(lp, localHead.length() - localHead.indexOf(':') - 1);
        pa = Math.max(pa, peerHead.indexOf(':'));
        pp = Math.max(pp, peerHead.length() - peerHead.indexOf(':') - 1);
        String netidHead = netid ? "Netid " : "";
        if (!noHeader) {
            String line = netidHead + pad("State", stateW) + " " + pad("Recv-Q", rq) + " " + pad("Send-Q", sq) + " "
                    + leftPad("Local Address", la) + ":" + pad("Port", lp) + " " + leftPad("Peer Address", pa) + ":"
                    + pad("Port", pp) + (users ? " Process" : "");
            ctx.println(line.stripTrailing());
        }
        for (SocketInfo s : rows) {
            String line = (netid ? pad(s.protocol(), 5) + " " : "") + pad(s.state(), stateW) + " "
                    + pad(String.valueOf(s.recvQ()), rq) + " " + pad(String.valueOf(s.sendQ()), sq) + " "
                    + leftPad(address(s.local(), false), la) + ":" + pad(port(s.local(), false), lp) + " "
                    + leftPad(address(s.peer(), false), pa) + ":" + pad(port(s.peer(), true), pp)
                    + (users ? " " + users(s) : "");
            ctx.println(line.stripTrailing());
            if (info && !s.detail().isEmpty()) {
                ctx.println("\t " + s.detail());
            }
        }
    }

    /** net-tools: "%-5s %6ld %6ld %-23s %-23s %-12s". */
    private static void printNetstat(ProgramContext ctx, List<SocketInfo> rows, boolean all, boolean listening,
                                     boolean users) {
        ctx.println("Active Internet connections " + (all ? "(servers and established)"
                : listening ? "(only servers)" : "(w/o servers)"));
        ctx.println(("Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
                + (users ? " PID/Program name" : "")).stripTrailing());
        for (SocketInfo s : rows) {
            boolean listener = s.state().equals("LISTEN");
            String state = switch (s.state()) {
                case "ESTAB" -> "ESTABLISHED";
                case "SYN-SENT" -> "SYN_SENT";
                case "SYN-RECV" -> "SYN_RECV";
                case "FIN-WAIT-1" -> "FIN_WAIT1";
                case "FIN-WAIT-2" -> "FIN_WAIT2";
                case "TIME-WAIT" -> "TIME_WAIT";
                case "CLOSE-WAIT" -> "CLOSE_WAIT";
                case "LAST-ACK" -> "LAST_ACK";
                case "UNCONN" -> "";
                default -> s.state();
            };
            String peer = s.peer() == null ? "0.0.0.0:*" : s.peer().toString();
            String pid = s.owners().isEmpty() ? "-" : s.owners().get(0).pid() + "/" + s.owners().get(0).program();
            // /proc/net/tcp: a listener's tx_queue is 0; its rx_queue is the accept queue.
            ctx.println(String.format(Locale.ROOT, "%-5s %6d %6d %-23s %-23s %-12s", s.protocol(), s.recvQ(),
                    listener ? 0 : s.sendQ(), s.local().toString(), peer, state)
                    .concat(users ? pid : "").stripTrailing());
        }
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String leftPad(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
