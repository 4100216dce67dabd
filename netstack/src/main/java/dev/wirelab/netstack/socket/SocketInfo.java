package dev.wirelab.netstack.socket;

import java.util.List;

/**
 * One socket as {@code ss}/{@code netstat} show it.
 *
 * @param protocol "tcp", "udp" or "raw"
 * @param state    the TCP state name (RFC 9293: "ESTABLISHED", "LISTEN", "TIME-WAIT"...) or
 *                 "UNCONN"/"ESTAB" for UDP
 * @param recvQ    bytes received and not read; for a listener, connections in the accept queue
 * @param sendQ    bytes sent and not acknowledged; for a listener, its backlog
 * @param local    local address (port 0 when unbound)
 * @param peer     remote address, or null ("*")
 * @param owners   processes holding a descriptor for it, "name,pid,fd"
 * @param detail   protocol internals for {@code ss -i} (cwnd, rto...), may be empty
 */
public record SocketInfo(String protocol, String state, long recvQ, long sendQ, SockAddr local, SockAddr peer,
                         List<Owner> owners, String detail) {

    /** A process's descriptor for the socket. */
    public record Owner(String program, int pid, int fd) {
    }

    public SocketInfo withOwners(List<Owner> o) {
        return new SocketInfo(protocol, state, recvQ, sendQ, local, peer, List.copyOf(o), detail);
    }
}
