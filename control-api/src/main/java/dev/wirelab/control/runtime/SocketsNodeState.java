package dev.wirelab.control.runtime;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpInfo;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.tcp.TcpListener;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * The "sockets" section, as {@code ss -tan} would show it: TCP listeners with their SYN and accept
 * queues against the backlog, TCP connections with their state, queues and congestion state, and
 * bound UDP sockets.
 */
@Component
public class SocketsNodeState implements NodeStateProvider {

    /** One socket; fields that do not apply are null. */
    public record Socket(String protocol, String state, String local, String remote, Integer sendQueue,
                         Integer receiveQueue, Integer synQueue, Integer acceptQueue, Integer backlog, TcpInfo tcp) {
    }

    @Override
    public String section() {
        return "sockets";
    }

    @Override
    public Object state(Node node) {
        List<Socket> out = new ArrayList<>();
        TcpLayer.find(node).ifPresent(tcp -> {
            for (TcpListener l : tcp.listeners()) {
                out.add(new Socket("tcp", "LISTEN", l.localAddress() + ":" + l.localPort(), "*:*", null, null,
                        l.synQueueLength(), l.acceptQueueLength(), l.backlog(), null));
            }
            for (TcpConnection c : tcp.connections()) {
                TcpInfo info = c.info();
                out.add(new Socket("tcp", c.state().name(), c.localAddress() + ":" + c.localPort(),
                        c.remoteAddress() + ":" + c.remotePort(), info.sendQueue(), info.receiveQueue(), null, null, null,
                        info));
            }
        });
        for (String udp : node.udp().boundSockets()) {
            out.add(new Socket("udp", "UNCONN", udp, "*:*", null, null, null, null, null, null));
        }
        return out;
    }
}
