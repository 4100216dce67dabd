package dev.wirelab.netstack.program;

import dev.wirelab.netstack.node.NetworkInterface;

import java.util.List;
import java.util.Optional;

/**
 * {@code ethtool -k DEV} (show offload features) and {@code ethtool -K DEV tso on|off} (change
 * them), with ethtool's wording. The virtual NIC has one feature that can change: TCP segmentation
 * offload; the others are fixed ("[fixed]"), on where TSO needs them.
 */
final class EthtoolCommand implements Program {

    private static final String USAGE = "Usage: ethtool -k|--show-features DEVNAME | -K|--features DEVNAME tso on|off";

    @Override
    public void start(ProgramContext ctx) {
        List<String> a = ctx.args();
        if (a.size() == 2 && (a.get(0).equals("-k") || a.get(0).equals("--show-features"))) {
            Optional<NetworkInterface> ifc = ctx.node().networkInterface(a.get(1));
            if (ifc.isEmpty()) {
                noDevice(ctx, a.get(1));
                return;
            }
            String tso = ifc.get().tso() ? "on" : "off";
            ctx.println("Features for " + a.get(1) + ":");
            // What TSO depends on in Linux (netdev_fix_features) is on: frames reach the NIC with
            // their checksums, and the stack cuts super-packets itself where a link needs it (GSO).
            ctx.println("rx-checksumming: off [fixed]");
            ctx.println("tx-checksumming: on [fixed]");
            ctx.println("scatter-gather: on [fixed]");
            ctx.println("tcp-segmentation-offload: " + tso);
            ctx.println("\ttx-tcp-segmentation: " + tso);
            ctx.println("generic-segmentation-offload: on [fixed]");
            ctx.println("generic-receive-offload: off [fixed]");
            ctx.println("large-receive-offload: off [fixed]");
            ctx.exit(0);
            return;
        }
        if (a.size() >= 2 && (a.get(0).equals("-K") || a.get(0).equals("--features") || a.get(0).equals("--offload"))) {
            String dev = a.get(1);
            if (ctx.node().networkInterface(dev).isEmpty()) {
                noDevice(ctx, dev);
                return;
            }
            List<String> settings = a.subList(2, a.size());
            if (settings.isEmpty() || settings.size() % 2 != 0) {
                ctx.println("ethtool: -K needs feature/value pairs, e.g. ethtool -K " + dev + " tso on");
                ctx.exit(1);
                return;
            }
            Boolean tso = null;
            for (int i = 0; i < settings.size(); i += 2) {
                String feature = settings.get(i);
                String value = settings.get(i + 1);
                if (!value.equals("on") && !value.equals("off")) {
                    ctx.println("ethtool: invalid value '" + value + "' for " + feature + " (on or off)");
                    ctx.exit(1);
                    return;
                }
                if (feature.equals("tso") || feature.equals("tx-tcp-segmentation")) {
                    tso = value.equals("on");
                } else {
                    ctx.println("Could not change any device features: " + feature
                            + " is not supported by this virtual NIC (only tso)");
                    ctx.exit(1);
                    return;
                }
            }
            ctx.node().setTso(dev, tso);
            ctx.exit(0);
            return;
        }
        ctx.println(USAGE);
        ctx.exit(1);
    }

    private static void noDevice(ProgramContext ctx, String dev) {
        ctx.println("netlink error: no device matches name (offset 24)");
        ctx.println("netlink error: No such device");
        ctx.println("(" + dev + ": no such interface on " + ctx.node().name() + ")");
        ctx.exit(1);
    }
}
