package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DHCP clients of one node and the one UDP socket on port 68 they share (a node can bind the
 * port once): replies are handed to the client of the interface they arrived on.
 */
public final class DhcpClients {

    private final Node node;
    private final Map<String, DhcpClient> clients = new LinkedHashMap<>();
    private UdpSocket socket;

    private DhcpClients(Node node) {
        this.node = node;
        node.onStop(this::nodeStopped);
    }

    public static DhcpClients of(Node node) {
        return node.service(DhcpClients.class, DhcpClients::new);
    }

    /** The client of {@code ifName}, made on first use. */
    public synchronized DhcpClient client(String ifName) {
        node.networkInterface(ifName).orElseThrow(() -> new IllegalArgumentException(
                node.name() + ": no interface named " + ifName));
        return clients.computeIfAbsent(ifName, n -> new DhcpClient(node, n, this));
    }

    /** The client of {@code ifName} if one was made. */
    public synchronized java.util.Optional<DhcpClient> existing(String ifName) {
        return java.util.Optional.ofNullable(clients.get(ifName));
    }

    /** Starts the client of {@code ifName} each time the node starts (interface {@code dhcp: true}). */
    public void bootOnStart(String ifName) {
        DhcpClient c = client(ifName);
        node.onStart(c::boot);
    }

    void open() {
        if (socket == null) {
            socket = node.udp().open(Ipv4Address.ANY, DhcpMessage.CLIENT_PORT);
            socket.onReceive(this::receive);
        }
    }

    void send(byte[] payload, Ipv4Address to) {
        open();
        socket.sendTo(to, DhcpMessage.SERVER_PORT, payload);
    }

    private void receive(UdpMessage u) {
        node.counterSet().increment("dhcp", "received");
        DhcpMessage m;
        try {
            m = DhcpMessage.parse(u.payload(), 0, u.payload().length);
        } catch (WireFormatException e) {
            node.counterSet().drop("dhcp", "malformed");
            node.event("dhcp", "drop", "reason", "malformed", "from", u.source().toString(), "error", e.getMessage());
            return;
        }
        DhcpClient c;
        synchronized (this) {
            c = clients.get(u.interfaceName());
        }
        if (c == null) {
            node.counterSet().drop("dhcp", "no_client_on_interface");
            node.event("dhcp", "drop", "reason", "no_client_on_interface", "interface", u.interfaceName());
            return;
        }
        c.receive(m, u);
    }

    private void nodeStopped() {
        for (DhcpClient c : clients.values()) {
            c.halt();
        }
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
