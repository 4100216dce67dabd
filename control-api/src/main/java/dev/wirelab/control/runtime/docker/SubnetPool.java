package dev.wirelab.control.runtime.docker;

import java.util.ArrayList;
import java.util.List;

/**
 * The /24 networks a run may take from a pool such as 10.213.0.0/16. A run's network has a fixed
 * subnet so that its containers get fixed addresses: a restarted container comes back with its NIC
 * addresses, and the bus knows every port before the first frame.
 */
record SubnetPool(int base, int prefix) {

    SubnetPool {
        if (prefix < 8 || prefix > 24) {
            throw new IllegalArgumentException("the subnet pool must be /8../24, got /" + prefix);
        }
    }

    static SubnetPool parse(String cidr) {
        String[] p = cidr.trim().split("/");
        if (p.length != 2) {
            throw new IllegalArgumentException("wirelab.docker.subnet-pool must be a CIDR such as 10.213.0.0/16: " + cidr);
        }
        int prefix = Integer.parseInt(p[1]);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new SubnetPool(toInt(p[0]) & mask, prefix);
    }

    /** Candidate /24s, starting at one chosen by {@code start} (the run id), so runs spread out. */
    List<String> candidates(long start, int max) {
        int count = 1 << (24 - prefix);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < Math.min(count, max); k++) {
            int i = (int) Math.floorMod(start + k, (long) count);
            out.add(text(base + (i << 8)) + "/24");
        }
        return out;
    }

    /** Host {@code n} of a /24 ("10.213.4.0/24", 10 -> "10.213.4.10"). */
    static String host(String subnet24, int n) {
        return text(toInt(subnet24.substring(0, subnet24.indexOf('/'))) + n);
    }

    private static int toInt(String dotted) {
        String[] o = dotted.split("\\.");
        if (o.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        int v = 0;
        for (String x : o) {
            int b = Integer.parseInt(x);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            v = v << 8 | b;
        }
        return v;
    }

    private static String text(int v) {
        return (v >>> 24) + "." + (v >>> 16 & 255) + "." + (v >>> 8 & 255) + "." + (v & 255);
    }
}
