package dev.wirelab.netstack.program;

import dev.wirelab.netstack.ip.PmtuDiscovery;
import dev.wirelab.netstack.ip.SendResult;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.udp.UdpError;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.IcmpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.Locale;

/**
 * {@code traceroute} (the Linux traceroute 2.x UDP method): UDP probes to port 33434 and up with
 * TTL 1, 2, ... ; routers answer Time Exceeded, the destination Port Unreachable. Probes go one
 * at a time. Options: -n, -q nqueries, -w wait, -m max_ttl, -f first_ttl, -p port, and an
 * optional packet length after the host.
 */
final class Traceroute implements Program {

    private ProgramContext ctx;
    private Ipv4Address destination;
    private int firstTtl = 1;
    private int maxTtl = 30;
    private int queries = 3;
    private long waitNanos = 5_000_000_000L;
    private int port = 33434;
    private int packetLength = 60;
    private boolean numeric;

    private UdpSocket socket;
    private int ttl;
    private int query;
    private int probePort;
    private long sentAt;
    private Cancellable timeout = Cancellable.NONE;
    private StringBuilder line;
    private Ipv4Address lastAddress;
    private boolean reached;
    private boolean finalHop;

    @Override
    public void start(ProgramContext context) {
        ctx = context;
        try {
            parse();
        } catch (GetOpt.UsageException e) {
            ctx.println(e.getMessage());
            ctx.exit(2);
            return;
        }
        if (ctx.node().ip().sourceFor(destination, null).isEmpty()) {
            ctx.println("connect: Network is unreachable");
            ctx.exit(1);
            return;
        }
        socket = ctx.node().udp().open();
        // traceroute leaves DF clear by default (-F sets it).
        socket.setPmtuDiscovery(PmtuDiscovery.DONT);
        socket.onError(e -> ctx.guarded(() -> error(e)));
        socket.onReceive(m -> { }); // answers to probes are not expected; ignore
        ctx.onExit(socket::close);
        ctx.println("traceroute to " + destination + " (" + destination + "), " + maxTtl + " hops max, "
                + packetLength + " byte packets");
        ttl = firstTtl;
        query = 0;
        probePort = port;
        startHop();
    }

    private void parse() {
        GetOpt o = GetOpt.parse("traceroute", ctx.args(), "nq:w:m:f:p:");
        if (o.operands.isEmpty() || o.operands.size() > 2) {
            throw new GetOpt.UsageException("Usage: traceroute [ -n ] [ -f first_ttl ] [ -m max_ttl ] [ -p port ] "
                    + "[ -q nqueries ] [ -w waittime ] host [ packetlen ]");
        }
        try {
            destination = Ipv4Address.parse(o.operands.get(0));
        } catch (IllegalArgumentException e) {
            throw new GetOpt.UsageException(o.operands.get(0) + ": Name or service not known\nCannot handle \"host\" cmdline arg `"
                    + o.operands.get(0) + "' on position 1 (argc 1)");
        }
        numeric = o.has('n');
        if (o.has('q')) {
            queries = GetOpt.intIn(o.get('q'), 1, 10, "no more than 10 probes per hop");
        }
        if (o.has('m')) {
            maxTtl = GetOpt.intIn(o.get('m'), 1, 255, "max hops cannot be more than 255");
        }
        if (o.has('f')) {
            firstTtl = GetOpt.intIn(o.get('f'), 1, 255, "first hop out of range");
        }
        if (firstTtl > maxTtl) {
            throw new GetOpt.UsageException("first hop out of range");
        }
        if (o.has('p')) {
            port = GetOpt.intIn(o.get('p'), 1, 65535, "Cannot handle `-p' option with arg `" + o.get('p') + "'");
        }
        if (o.has('w')) {
            String w = o.get('w').split(",")[0];
            waitNanos = Ping.seconds(w, "Cannot handle `-w' option with arg `" + o.get('w') + "'");
        }
        if (o.operands.size() == 2) {
            packetLength = GetOpt.intIn(o.operands.get(1), 28, 65000, "Cannot handle \"packetlen\" cmdline arg `"
                    + o.operands.get(1) + "' on position 2");
        }
    }


    private void startHop() {
        line = new StringBuilder(String.format(Locale.ROOT, "%2d ", ttl));
        lastAddress = null;
        finalHop = false;
        query = 0;
        sendProbe();
    }

    private void sendProbe() {
        socket.setTtl(ttl);
        byte[] data = new byte[Math.max(0, packetLength - 28)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x40 + i);
        }
        sentAt = ctx.now();
        SendResult r = socket.sendTo(destination, probePort, data);
        if (!r.ok()) {
            line.append(" *");
            ctx.println("send failed: " + r.status().message());
            next();
            return;
        }
        timeout = ctx.schedule(waitNanos, () -> {
            line.append(" *");
            next();
        });
    }

    private void error(UdpError e) {
        if (e.originalDestinationPort() != probePort || !e.originalDestination().equals(destination)) {
            return; // an answer to an earlier probe that already timed out
        }
        timeout.cancel();
        double ms = (ctx.now() - sentAt) / 1e6;
        if (!e.reporter().equals(lastAddress)) {
            line.append(' ').append(numeric ? e.reporter().toString() : e.reporter() + " (" + e.reporter() + ")");
            lastAddress = e.reporter();
        }
        line.append(String.format(Locale.ROOT, "  %.3f ms", ms));
        IcmpMessage m = e.message();
        if (m.type() == IcmpMessage.TYPE_DESTINATION_UNREACHABLE) {
            finalHop = true;
            switch (m.code()) {
                case IcmpMessage.PORT_UNREACHABLE -> {
                    if (e.reporter().equals(destination)) {
                        reached = true;
                    } else {
                        line.append(" !P"); // port unreachable from someone else
                    }
                }
                case IcmpMessage.NET_UNREACHABLE -> line.append(" !N");
                case IcmpMessage.HOST_UNREACHABLE -> line.append(" !H");
                case IcmpMessage.PROTOCOL_UNREACHABLE -> line.append(" !P");
                case IcmpMessage.FRAGMENTATION_NEEDED -> line.append(" !F-").append(m.nextHopMtu());
                case IcmpMessage.COMMUNICATION_ADMINISTRATIVELY_PROHIBITED -> line.append(" !X");
                default -> line.append(" !<").append(m.code()).append('>');
            }
        } else if (m.type() == IcmpMessage.TYPE_TIME_EXCEEDED && e.reporter().equals(destination)) {
            reached = true; // the destination itself answered
        }
        next();
    }

    private void next() {
        probePort++;
        query++;
        if (query < queries) {
            sendProbe();
            return;
        }
        ctx.println(line.toString());
        if (reached || finalHop || ttl >= maxTtl) {
            ctx.exit(0);
            return;
        }
        ttl++;
        startHop();
    }
}
