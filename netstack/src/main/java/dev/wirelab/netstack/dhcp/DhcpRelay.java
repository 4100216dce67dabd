package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.node.InterfaceAddress;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.List;

/**
 * A BOOTP/DHCP relay agent (RFC 1542 section 4, RFC 2131 section 4.1) on a router: client requests
 * broadcast on a served interface go to the configured servers with {@code giaddr} set to that
 * interface's address and {@code hops} counted; the servers' replies, sent to giaddr, go back to the
 * client on that interface. Like dhcrelay it listens on UDP port 67.
 */
public final class DhcpRelay {

    /** RFC 1542 section 4.1.1: "The default setting for a configurable threshold SHOULD be 4." */
    public static final int DEFAULT_MAX_HOPS = 4;

    private static final String LAYER = "dhcp";

    private final Node node;
    private final List<Ipv4Address> servers;
    private final List<String> interfaces;
    private final int maxHops;
    private UdpSocket socket;

    private DhcpRelay(Node node, List<Ipv4Address> servers, List<String> interfaces, int maxHops) {
        this.node = node;
        this.servers = List.copyOf(servers);
        this.interfaces = List.copyOf(interfaces);
        this.maxHops = maxHops;
    }

    /**
     * Adds a relay to {@code node}.
     *
     * @param interfaces interfaces whose clients are served; empty means every interface whose
     *                   subnet holds none of the servers
     */
    public static DhcpRelay install(Node node, List<Ipv4Address> servers, List<String> interfaces) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException(node.name() + ": a DHCP relay needs at least one server address");
        }
        DhcpRelay r = node.service(DhcpRelay.class, n -> new DhcpRelay(n, servers, interfaces, DEFAULT_MAX_HOPS));
        node.onStart(r::start);
        node.onStop(r::stop);
        if (node.running()) {
            node.loop().execute(r::start);
        }
        return r;
    }

    public List<Ipv4Address> servers() {
        return servers;
    }

    /** The interfaces served now (resolving the default). */
    public List<String> servedInterfaces() {
        if (!interfaces.isEmpty()) {
            return interfaces;
        }
        List<String> out = new ArrayList<>();
        for (NetworkInterface ifc : node.interfaces()) {
            boolean facesServer = false;
            for (InterfaceAddress a : ifc.addresses()) {
                for (Ipv4Address s : servers) {
                    facesServer |= a.contains(s);
                }
            }
            if (!facesServer) {
                out.add(ifc.name());
            }
        }
        return out;
    }

    private void start() {
        if (socket == null) {
            socket = node.udp().open(Ipv4Address.ANY, DhcpMessage.SERVER_PORT);
            socket.onReceive(this::receive);
            node.event(LAYER, "relay_start", "servers", servers.toString(), "interfaces", servedInterfaces().toString());
        }
    }

    private void stop() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    private void receive(UdpMessage u) {
        node.counterSet().increment(LAYER, "received");
        DhcpMessage m;
        try {
            m = DhcpMessage.parse(u.payload(), 0, u.payload().length);
        } catch (WireFormatException e) {
            drop("malformed", "error", e.getMessage());
            return;
        }
        if (m.op() == DhcpMessage.BOOTREQUEST) {
            fromClient(m, u);
        } else {
            fromServer(m, u);
        }
    }

    private void fromClient(DhcpMessage m, UdpMessage u) {
        if (!servedInterfaces().contains(u.interfaceName())) {
            drop("interface_not_served", "interface", u.interfaceName());
            return;
        }
        // RFC 1542 section 4.1.1: "The relay agent MUST silently discard BOOTREQUEST messages whose
        // 'hops' field exceeds the value 16"; the configurable threshold defaults to 4.
        if (m.hops() > Math.min(16, maxHops)) {
            drop("too_many_hops", "hops", m.hops());
            return;
        }
        Ipv4Address giaddr = m.giaddr();
        if (giaddr.equals(Ipv4Address.ANY)) {
            // "If this field is zero, the relay agent MUST fill this field with the IP address of the
            // interface on which the request was received."
            NetworkInterface ifc = node.networkInterface(u.interfaceName()).orElse(null);
            giaddr = ifc == null ? null : ifc.primaryAddress();
            if (giaddr == null) {
                drop("interface_without_address", "interface", u.interfaceName());
                return;
            }
        }
        DhcpMessage relayed = m.withRelay(giaddr, m.hops() + 1);
        byte[] bytes = relayed.encode();
        for (Ipv4Address server : servers) {
            socket.sendTo(server, DhcpMessage.SERVER_PORT, bytes);
            node.counterSet().increment(LAYER, "relayed_to_server");
            node.event(LAYER, "relay_to_server", "message", DhcpMessage.typeName(m.messageType()),
                    "xid", String.format("0x%08x", m.xid()), "chaddr", m.clientMac().toString(),
                    "giaddr", giaddr.toString(), "hops", relayed.hops(), "server", server.toString(),
                    "interface", u.interfaceName());
        }
    }

    private void fromServer(DhcpMessage m, UdpMessage u) {
        // RFC 1542 section 4.1.2: the reply's giaddr names the interface to deliver on.
        NetworkInterface out = null;
        for (NetworkInterface ifc : node.interfaces()) {
            if (ifc.hasAddress(m.giaddr())) {
                out = ifc;
            }
        }
        if (out == null) {
            drop("giaddr_not_ours", "giaddr", m.giaddr().toString());
            return;
        }
        if (!servers.contains(u.source())) {
            drop("reply_from_unknown_server", "from", u.source().toString());
            return;
        }
        byte[] bytes = m.encode();
        // RFC 1542 section 4.1.2 / RFC 2131 section 4.1: broadcast when the client asked for it (and
        // for a DHCPNAK the server set the bit), else unicast to chaddr and yiaddr.
        boolean broadcast = m.broadcastFlag() || m.yiaddr().equals(Ipv4Address.ANY);
        Ipv4Address to = broadcast ? Ipv4Address.BROADCAST : m.yiaddr();
        MacAddress mac = broadcast ? MacAddress.BROADCAST : m.clientMac();
        RawUdp.send(node, out.name(), mac, m.giaddr(), DhcpMessage.SERVER_PORT, to, DhcpMessage.CLIENT_PORT, bytes);
        node.counterSet().increment(LAYER, "relayed_to_client");
        node.event(LAYER, "relay_to_client", "message", DhcpMessage.typeName(m.messageType()),
                "xid", String.format("0x%08x", m.xid()), "chaddr", m.clientMac().toString(), "to", to.toString(),
                "interface", out.name(), "from", u.source().toString());
    }

    private void drop(String reason, Object... detail) {
        node.counterSet().drop(LAYER, reason);
        Object[] kv = new Object[detail.length + 2];
        kv[0] = "reason";
        kv[1] = reason;
        System.arraycopy(detail, 0, kv, 2, detail.length);
        node.event(LAYER, "drop", kv);
    }
}
