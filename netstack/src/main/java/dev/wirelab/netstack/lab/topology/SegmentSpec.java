package dev.wirelab.netstack.lab.topology;

import java.util.Objects;

/**
 * An L2 segment of the lab: one learning switch on the bus, one VXLAN network identifier.
 *
 * @param name segment name, referenced by interfaces, links and external ports
 * @param vni  VXLAN network identifier, 1..16777215 (RFC 7348 section 5: 24 bits); in files it may be
 *             left out and is then assigned 1, 2, 3... in order, skipping the ones given explicitly
 * @param mtu  the segment's MTU (IP packet size) in bytes; interfaces on it take it unless they set
 *             their own
 */
public record SegmentSpec(String name, int vni, int mtu) {

    public static final int DEFAULT_MTU = 1500;
    /** RFC 791: every internet module must be able to forward a datagram of 68 octets. */
    public static final int MIN_MTU = 68;
    /** Jumbo frames. */
    public static final int MAX_MTU = 9000;
    public static final int MAX_VNI = 0xFF_FFFF;

    public SegmentSpec {
        Objects.requireNonNull(name, "name");
    }

    public static SegmentSpec of(String name, int vni) {
        return new SegmentSpec(name, vni, DEFAULT_MTU);
    }
}
