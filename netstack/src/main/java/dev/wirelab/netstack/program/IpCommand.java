package dev.wirelab.netstack.program;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.ip.Route;
import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code ip addr}, {@code ip route}, {@code ip route get ADDR}, {@code ip neigh} with iproute2's output. */
final class IpCommand implements Program {

    @Override
    public void start(ProgramContext ctx) {
        List<String> args = new ArrayList<>(ctx.args());
        args.removeIf(a -> a.equals("-4")); // we only speak IPv4
        if (args.isEmpty()) {
            ctx.println("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }");
            ctx.println("where  OBJECT := { address | route | neigh }");
            ctx.exit(255);
            return;
        }
        String object = args.get(0);
        List<String> rest = args.subList(1, args.size());
        Node node = ctx.node();
        int status;
        if (matches(object, "address", 1)) {
            status = addr(ctx, node, rest);
        } else if (matches(object, "route", 1)) {
            status = route(ctx, node, rest);
        } else if (matches(object, "neighbour", 1) || matches(object, "neighbor", 1)) {
            status = neigh(ctx, node, rest);
        } else if (matches(object, "link", 1)) {
            status = link(ctx, node);
        } else {
            ctx.println("Object \"" + object + "\" is unknown, try \"ip help\".");
            status = 255;
        }
        ctx.exit(status);
    }

    /** iproute2 accepts any prefix of an object or command name ("a", "addr", "ro"). */
    private static boolean matches(String given, String full, int min) {
        return given.length() >= min && full.startsWith(given);
    }

    private static int addr(ProgramContext ctx, Node node, List<String> args) {
        String dev = null;
        int i = 0;
        if (i < args.size() && matches(args.get(i), "show", 1)) {
            i++;
        }
        if (i < args.size() && args.get(i).equals("dev")) {
            i++;
        }
        if (i < args.size()) {
            dev = args.get(i);
            if (node.networkInterface(dev).isEmpty()) {
                ctx.println("Device \"" + dev + "\" does not exist.");
                return 1;
            }
        }
        for (NetworkInterface ifc : node.interfaces()) {
            if (dev != null && !dev.equals(ifc.name())) {
                continue;
            }
            boolean up = node.running();
            ctx.println(ifc.index() + ": " + ifc.name() + ": <BROADCAST,MULTICAST" + (up ? ",UP,LOWER_UP" : "") + "> mtu "
                    + ifc.mtu() + " qdisc noqueue state " + (up ? "UP" : "DOWN") + " group default qlen 1000");
            ctx.println("    link/ether " + ifc.mac() + " brd ff:ff:ff:ff:ff:ff");
            for (InterfaceAddress a : ifc.addresses()) {
                Ipv4Address brd = a.broadcast();
                // A DHCP lease shows as iproute2 shows it: "dynamic", lifetimes counting down.
                var life = node.addressLifetime(ifc.name(), a.address());
                ctx.println("    inet " + a + (brd == null ? "" : " brd " + brd) + " scope global "
                        + (life.isPresent() ? "dynamic " : "") + ifc.name());
                ctx.println(life.map(l -> "       valid_lft " + l.validSecondsLeft(ctx.now()) + "sec preferred_lft "
                        + l.preferredSecondsLeft(ctx.now()) + "sec").orElse("       valid_lft forever preferred_lft forever"));
            }
        }
        return 0;
    }

    private static int route(ProgramContext ctx, Node node, List<String> args) {
        if (!args.isEmpty() && matches(args.get(0), "get", 1)) {
            if (args.size() < 2) {
                ctx.println("Command line is not complete. Try \"ip route help\".");
                return 255;
            }
            Ipv4Address dst;
            try {
                dst = Ipv4Address.parse(args.get(1));
            } catch (IllegalArgumentException e) {
                ctx.println("Error: any valid prefix is expected rather than \"" + args.get(1) + "\".");
                return 1;
            }
            if (node.isLocalAddress(dst)) {
                ctx.println("local " + dst + " dev lo src " + dst + " uid 0");
                ctx.println("    cache <local>");
                return 0;
            }
            Optional<Route> r = node.routeTo(dst);
            if (r.isEmpty()) {
                ctx.println("RTNETLINK answers: Network is unreachable");
                return 2;
            }
            Route route = r.get();
            Ipv4Address src = node.ip().sourceFor(dst, null).orElse(null);
            ctx.println(dst + (route.onLink() ? "" : " via " + route.gateway()) + " dev " + route.interfaceName()
                    + (src == null ? "" : " src " + src) + " uid 0");
            ctx.println("    cache");
            return 0;
        }
        if (!args.isEmpty() && !matches(args.get(0), "show", 1) && !matches(args.get(0), "list", 1)) {
            ctx.println("Command \"" + args.get(0) + "\" is unknown, try \"ip route help\".");
            return 255;
        }
        for (Route r : node.routes()) {
            ctx.println(r.toIpRouteLine());
        }
        return 0;
    }

    private static int neigh(ProgramContext ctx, Node node, List<String> args) {
        if (!args.isEmpty() && !matches(args.get(0), "show", 1) && !matches(args.get(0), "list", 1)) {
            ctx.println("Command \"" + args.get(0) + "\" is unknown, try \"ip neigh help\".");
            return 255;
        }
        for (NetworkInterface ifc : node.interfaces()) {
            for (Neighbor n : ifc.neighbors()) {
                if (n.mac() != null) {
                    ctx.println(n.ip() + " dev " + ifc.name() + " lladdr " + n.mac() + " " + n.state().name());
                } else {
                    ctx.println(n.ip() + " dev " + ifc.name() + "  " + n.state().name());
                }
            }
        }
        return 0;
    }

    private static int link(ProgramContext ctx, Node node) {
        for (NetworkInterface ifc : node.interfaces()) {
            boolean up = node.running();
            ctx.println(ifc.index() + ": " + ifc.name() + ": <BROADCAST,MULTICAST" + (up ? ",UP,LOWER_UP" : "") + "> mtu "
                    + ifc.mtu() + " qdisc noqueue state " + (up ? "UP" : "DOWN") + " mode DEFAULT group default qlen 1000");
            ctx.println("    link/ether " + ifc.mac() + " brd ff:ff:ff:ff:ff:ff");
        }
        return 0;
    }
}
