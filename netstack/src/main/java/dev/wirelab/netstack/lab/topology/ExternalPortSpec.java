package dev.wirelab.netstack.lab.topology;

import java.util.Objects;

/**
 * A Linux VXLAN interface (or any RFC 7348 endpoint) outside the lab that joins a segment: the bus
 * sends that segment's frames to {@code remoteHost:remotePort} with the segment's VNI and accepts
 * frames from it.
 *
 * @param name       port name in traces and counters; in files optional, then ext1, ext2, ...
 * @param segment    the segment it joins
 * @param remoteHost the VTEP's IPv4 address or host name (the Linux side's {@code local} address)
 * @param remotePort the VTEP's UDP port (the Linux side's {@code dstport}), 4789 by default
 */
public record ExternalPortSpec(String name, String segment, String remoteHost, int remotePort) {

    /** IANA-assigned VXLAN port (RFC 7348 section 5). */
    public static final int DEFAULT_PORT = 4789;

    public ExternalPortSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(remoteHost, "remoteHost");
    }

    /** "10.255.0.2:4789". */
    public String remote() {
        return remoteHost + ":" + remotePort;
    }
}
