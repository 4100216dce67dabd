package dev.wirelab.netstack.program;

import dev.wirelab.netstack.dhcp.DhcpClient;
import dev.wirelab.netstack.node.NetworkInterface;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dhclient} as ISC's: {@code dhclient [-v] IFACE} acquires a lease (or renews the one it has)
 * and exits once bound, the client staying on in the node as ISC's daemon does; {@code -r} releases
 * the lease; {@code -x} stops the client without releasing. With {@code -v} the protocol steps are
 * printed as ISC dhclient logs them ("DHCPDISCOVER on eth0 to 255.255.255.255 port 67 interval 3").
 * Gives up after 60 s ("timeout 60" of dhclient.conf) with status 2.
 */
final class Dhclient implements Program {

    /** dhclient.conf's default "timeout 60". */
    static final long TIMEOUT = 60_000_000_000L;

    @Override
    public void start(ProgramContext ctx) {
        GetOpt o;
        try {
            o = GetOpt.parse("dhclient", ctx.args(), "vrxq1");
        } catch (GetOpt.UsageException e) {
            ctx.println(e.getMessage());
            ctx.println("Usage: dhclient [-v] [-r | -x] [-1] [interface ...]");
            ctx.exit(2);
            return;
        }
        boolean verbose = o.has('v');
        List<String> ifaces = new ArrayList<>(o.operands);
        if (ifaces.isEmpty()) {
            List<NetworkInterface> all = ctx.node().interfaces();
            if (all.isEmpty()) {
                ctx.println("dhclient: no interfaces");
                ctx.exit(1);
                return;
            }
            ifaces.add(all.get(0).name());
        }
        List<DhcpClient> clients = new ArrayList<>();
        for (String i : ifaces) {
            if (ctx.node().networkInterface(i).isEmpty()) {
                ctx.println("Cannot find device \"" + i + "\"");
                ctx.exit(1);
                return;
            }
            clients.add(DhcpClient.of(ctx.node(), i));
        }
        if (verbose) {
            ctx.println("Wirelab DHCP Client (dhclient-compatible output)");
            for (String i : ifaces) {
                String mac = ctx.node().networkInterface(i).orElseThrow().mac().toString();
                ctx.println("Listening on LPF/" + i + "/" + mac);
                ctx.println("Sending on   LPF/" + i + "/" + mac);
            }
            ctx.println("Sending on   Socket/fallback");
        }
        for (DhcpClient c : clients) {
            Runnable stop = c.onLog(line -> {
                if (verbose) {
                    ctx.println(line);
                }
            });
            ctx.onExit(stop);
        }
        if (o.has('r') || o.has('x')) {
            for (DhcpClient c : clients) {
                if (o.has('r')) {
                    c.release();
                } else {
                    c.halt();
                }
            }
            ctx.exit(0);
            return;
        }
        int[] pending = {clients.size()};
        for (DhcpClient c : clients) {
            c.whenBound().thenAccept(lease -> ctx.guarded(() -> {
                if (--pending[0] == 0) {
                    ctx.exit(0);
                }
            }));
            c.acquireOrRenew();
        }
        ctx.schedule(TIMEOUT, () -> {
            boolean offers = clients.stream().anyMatch(c -> c.state() != DhcpClient.State.SELECTING);
            ctx.println(offers ? "No DHCPACK received." : "No DHCPOFFERS received.");
            ctx.println("No working leases in persistent database - sleeping.");
            ctx.exit(2);
        });
    }
}
