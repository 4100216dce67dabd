package dev.wirelab.netstack.program;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.arp.NeighborState;
import dev.wirelab.netstack.node.NetworkInterface;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code arp -n} with net-tools' table layout. */
final class ArpCommand implements Program {

    @Override
    public void start(ProgramContext ctx) {
        GetOpt o;
        try {
            o = GetOpt.parse("arp", ctx.args(), "naei:");
        } catch (GetOpt.UsageException e) {
            ctx.println(e.getMessage());
            ctx.exit(255);
            return;
        }
        String dev = o.get('i');
        List<String> rows = new ArrayList<>();
        for (NetworkInterface ifc : ctx.node().interfaces()) {
            if (dev != null && !dev.equals(ifc.name())) {
                continue;
            }
            for (Neighbor n : ifc.neighbors()) {
                if (n.state() == NeighborState.NONE) {
                    continue;
                }
                if (n.mac() == null) {
                    rows.add(row(n.ip().toString(), "", "(incomplete)", "", "", ifc.name()));
                } else {
                    rows.add(row(n.ip().toString(), "ether", n.mac().toString(),
                            n.state() == NeighborState.PERMANENT ? "CM" : "C", "", ifc.name()));
                }
            }
        }
        if (!rows.isEmpty()) {
            ctx.println(row("Address", "HWtype", "HWaddress", "Flags", "Mask", "Iface"));
            rows.forEach(ctx::println);
        }
        ctx.exit(0);
    }

    /** net-tools: "%-23.23s  %-8.8s%-20.20s%-6.6s%-15.15s %s" (address, type, hwaddr, flags, mask, iface). */
    private static String row(String address, String type, String hw, String flags, String mask, String iface) {
        return String.format(Locale.ROOT, "%-23.23s  %-8.8s%-20.20s%-6.6s%-15.15s %s", address, type, hw, flags, mask, iface);
    }
}
