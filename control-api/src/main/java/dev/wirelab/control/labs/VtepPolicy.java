package dev.wirelab.control.labs;

import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.netstack.lab.topology.BusSpec;
import dev.wirelab.netstack.lab.topology.ExternalPortSpec;
import dev.wirelab.netstack.lab.topology.Ipv4Cidr;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.wire.Ipv4Address;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a topology may aim this machine's UDP (issue 11): a lab's external VTEPs
 * ({@code external[].remote}) are addresses the bus sends VXLAN to, and {@code bus.bind} is where it
 * listens. Both come from an API caller, so the server's configuration ({@code wirelab.vxlan.*}),
 * not the request, says which networks and ports they may use; without it any caller could make
 * the server send datagrams to any host and port (8.8.8.8:53, 127.0.0.1:5432, a broadcast).
 *
 * <p>Checked by {@code /validate} and when a run starts; storing a lab sends nothing, so a lab
 * made elsewhere can be stored here and runs where its VTEPs are allowed.
 */
@Component
public class VtepPolicy {

    static final String NETWORKS_SETTING = "wirelab.vxlan.allowed-networks";
    static final String PORTS_SETTING = "wirelab.vxlan.allowed-ports";

    private record PortRange(int from, int to) {
        boolean contains(int port) {
            return port >= from && port <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    private final List<Ipv4Cidr> networks;
    private final List<PortRange> ports;

    @Autowired
    public VtepPolicy(WirelabProperties props) {
        this(props.vxlan().allowedNetworks(), props.vxlan().allowedPorts());
    }

    /** @throws IllegalStateException naming the setting when a network or port range is not one */
    VtepPolicy(List<String> allowedNetworks, List<String> allowedPorts) {
        this.networks = allowedNetworks.stream().map(VtepPolicy::network).toList();
        this.ports = allowedPorts.stream().map(VtepPolicy::ports).toList();
    }

    /** Every VTEP or bind address of the topology that this server does not allow; empty when all are. */
    public List<Problem> check(Topology t) {
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < t.external().size(); i++) {
            ExternalPortSpec x = t.external().get(i);
            String path = "external[" + i + "].remote";
            String why = remoteProblem(x);
            if (why != null) {
                problems.add(new Problem(path, why));
            }
        }
        BusSpec bus = t.bus();
        if (bus != null && !t.external().isEmpty()) {
            if (bus.bind() != null && !allowed(bus.bind())) {
                problems.add(new Problem("bus.bind", "the bus may not listen on " + bus.bind()
                        + (bus.bind().equals(Ipv4Address.ANY) ? " (every interface)" : "") + ": " + networksRule()));
            }
            if (!portAllowed(bus.port())) {
                problems.add(new Problem("bus.port", "the bus may not use UDP port " + bus.port() + ": " + portsRule()));
            }
        }
        return problems;
    }

    private String remoteProblem(ExternalPortSpec x) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(x.remoteHost());
        } catch (UnknownHostException e) {
            return "'" + x.remoteHost() + "' does not resolve";
        }
        for (InetAddress a : all) {
            if (!(a instanceof Inet4Address)) {
                continue; // the bus speaks IPv4 only and never sends to these
            }
            Ipv4Address v4 = Ipv4Address.read(a.getAddress(), 0);
            // A VTEP is one machine's unicast address (RFC 7348 section 4); multicast VXLAN
            // (section 4.2) is not what an external port is, and broadcast reaches every host.
            if (v4.equals(Ipv4Address.ANY) || v4.isLimitedBroadcast() || v4.isMulticast()) {
                return x.remote() + " is not one machine's unicast address";
            }
            if (!allowed(v4)) {
                return "this server does not send VXLAN to " + v4 + ": " + networksRule();
            }
        }
        if (!portAllowed(x.remotePort())) {
            return "this server does not send VXLAN to UDP port " + x.remotePort() + ": " + portsRule();
        }
        return null;
    }

    private boolean allowed(Ipv4Address a) {
        return networks.stream().anyMatch(n -> a.inSubnet(n.address(), n.prefixLength()));
    }

    private boolean portAllowed(int port) {
        return ports.stream().anyMatch(r -> r.contains(port));
    }

    private String networksRule() {
        return "allowed are " + networks.stream().map(n -> n.address() + "/" + n.prefixLength())
                .collect(Collectors.joining(", ")) + " (setting " + NETWORKS_SETTING + ")";
    }

    private String portsRule() {
        return "allowed are " + ports.stream().map(PortRange::toString).collect(Collectors.joining(", "))
                + " (setting " + PORTS_SETTING + ")";
    }

    private static Ipv4Cidr network(String text) {
        try {
            Ipv4Cidr c = Ipv4Cidr.parse(text.strip(), true);
            return new Ipv4Cidr(c.address().network(c.prefixLength()), c.prefixLength());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(NETWORKS_SETTING + ": '" + text + "' is not a network such as 10.255.0.0/16", e);
        }
    }

    private static PortRange ports(String text) {
        String s = text.strip();
        try {
            int dash = s.indexOf('-');
            int from = Integer.parseInt((dash < 0 ? s : s.substring(0, dash)).strip());
            int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1).strip());
            if (from < 1 || to > 65535 || from > to) {
                throw new NumberFormatException();
            }
            return new PortRange(from, to);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(PORTS_SETTING + ": '" + text + "' is not a UDP port or range such as 4789 or "
                    + "10000-10100", e);
        }
    }
}
