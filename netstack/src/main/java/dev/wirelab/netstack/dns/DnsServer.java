package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpException;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.tcp.TcpListener;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsName;
import dev.wirelab.netstack.wire.DnsRdata;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What every DNS server role shares: UDP port 53, turning bytes into a query or into FORMERR,
 * NOTIMP and REFUSED, EDNS(0) sizing, truncation to the UDP limit, and the trace. A role only
 * answers well-formed standard queries ({@link #answer}). Runs on the node's loop.
 *
 * <p>On a node with TCP it also listens on TCP port 53 (RFC 1035 section 4.2.2, RFC 7766), where
 * answers have no size limit: the fallback for clients that got a truncated UDP answer.
 */
public abstract class DnsServer {

    /** Our EDNS UDP payload size (RFC 6891 section 6.2.5; 1232 avoids IP fragmentation, as BIND does). */
    public static final int EDNS_UDP_SIZE = 1232;

    protected static final String LAYER = "dns";

    protected final Node node;
    private UdpSocket socket;
    private TcpListener tcp;

    protected DnsServer(Node node) {
        this.node = node;
    }

    /** "authoritative" or "recursive", for the trace. */
    protected abstract String role();

    /** The response to a well-formed standard query with one IN question; {@code from} is the client. */
    protected abstract CompletableFuture<DnsMessage> answer(DnsMessage query, Ipv4Address from);

    /** Opens port 53 each time the node starts and closes it when it stops. */
    protected final void register() {
        node.onStart(this::start);
        node.onStop(this::stop);
        if (node.running()) {
            node.loop().execute(this::start);
        }
    }

    protected void start() {
        if (socket == null) {
            socket = node.udp().open(Ipv4Address.ANY, DnsMessage.PORT);
            socket.onReceive(this::receive);
            TcpLayer t = TcpLayer.find(node).orElse(null);
            if (t != null) {
                try {
                    tcp = t.listen(Ipv4Address.ANY, DnsMessage.PORT, 16, null);
                    tcp.setListener(this::acceptAll);
                } catch (TcpException e) {
                    node.event(LAYER, "tcp_listen_failed", "error", e.getMessage());
                }
            }
            node.event(LAYER, "server_start", "role", role(), "tcp", tcp != null);
        }
    }

    private void acceptAll() {
        TcpConnection c;
        while (tcp != null && (c = tcp.accept()) != null) {
            node.event(LAYER, "tcp_accepted", "client", c.remoteAddress() + ":" + c.remotePort());
            DnsTcp.serve(node, c, this::handleStream);
        }
    }

    protected void stop() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
        if (tcp != null) {
            tcp.close();
            tcp = null;
        }
    }

    private void receive(UdpMessage u) {
        node.counterSet().increment(LAYER, "received");
        handle(u.payload(), u.source(), false).thenAccept(reply -> {
            if (reply != null && socket != null) {
                socket.sendTo(u.source(), u.sourcePort(), reply);
            }
        });
    }

    /** Answers one message that came over TCP (the 2-byte length already removed); no size limit. */
    public CompletableFuture<byte[]> handleStream(byte[] message, Ipv4Address from) {
        return handle(message, from, true);
    }

    private CompletableFuture<byte[]> handle(byte[] bytes, Ipv4Address from, boolean stream) {
        DnsMessage query;
        try {
            query = DnsMessage.parse(bytes, 0, bytes.length);
        } catch (WireFormatException e) {
            // A query we cannot read is counted and dropped; if it has a header and is a query, the
            // client learns why: RFC 1035 section 4.1.1, RCODE 1 "Format error".
            node.counterSet().drop(LAYER, "malformed");
            node.event(LAYER, "drop", "reason", "malformed", "from", from.toString(), "error", e.getMessage());
            if (bytes.length >= DnsMessage.HEADER_LENGTH && (bytes[2] & 0x80) == 0) {
                int id = DnsMessage.peekId(bytes, 0, bytes.length);
                int flags = DnsMessage.FLAG_QR | ((bytes[2] & 0x78) << 8) | ((bytes[2] & 0x01) << 8) | DnsMessage.FORMERR;
                DnsMessage formerr = new DnsMessage(id, flags, List.of(), List.of(), List.of(), List.of());
                sent(formerr, from, "malformed query");
                return CompletableFuture.completedFuture(formerr.encode());
            }
            return CompletableFuture.completedFuture(null);
        }
        if (query.isResponse()) {
            node.counterSet().drop(LAYER, "response_to_server");
            node.event(LAYER, "drop", "reason", "response_to_server", "from", from.toString(), "id", query.id());
            return CompletableFuture.completedFuture(null);
        }
        DnsRecord opt = null;
        List<DnsRecord> additional = new ArrayList<>();
        for (DnsRecord r : query.additional()) {
            if (r.type() == DnsRecord.OPT && opt == null) {
                opt = r;
            } else {
                additional.add(r);
            }
        }
        node.event(LAYER, "query_received", "role", role(), "from", from.toString(), "id", query.id(),
                "name", query.question() == null ? "" : query.question().name().toString(),
                "type", query.question() == null ? "" : DnsRecord.typeName(query.question().type()),
                "rd", query.recursionDesired(), "edns", opt != null);
        // RFC 6891 section 6.2.5: a requestor's payload size below 512 is taken as 512.
        int limit = stream ? Integer.MAX_VALUE : opt == null ? DnsMessage.UDP_LIMIT
                : Math.max(DnsMessage.UDP_LIMIT, Math.min(opt.rclass(), EDNS_UDP_SIZE));
        DnsRecord ourOpt = opt == null ? null : new DnsRecord(DnsName.ROOT, DnsRecord.OPT, EDNS_UDP_SIZE, 0,
                new DnsRdata.Unknown(new byte[0]));
        CompletableFuture<DnsMessage> response;
        if (query.opcode() != 0) {
            response = CompletableFuture.completedFuture(query.response(0, DnsMessage.NOTIMP, List.of(), List.of(), List.of()));
        } else if (query.questions().size() != 1) {
            response = CompletableFuture.completedFuture(query.response(0, DnsMessage.FORMERR, List.of(), List.of(), List.of()));
        } else if (query.question().qclass() != DnsRecord.IN) {
            response = CompletableFuture.completedFuture(query.response(0, DnsMessage.REFUSED, List.of(), List.of(), List.of()));
        } else {
            DnsMessage stripped = new DnsMessage(query.id(), query.flags(), query.questions(), query.answers(),
                    query.authority(), additional);
            response = answer(stripped, from);
        }
        return response.handle((r, error) -> {
            DnsMessage out = r;
            if (error != null || r == null) {
                node.event(LAYER, "server_error", "error", String.valueOf(error));
                out = query.response(0, DnsMessage.SERVFAIL, List.of(), List.of(), List.of());
            }
            if (ourOpt != null) {
                List<DnsRecord> ar = new ArrayList<>(out.additional());
                ar.add(ourOpt);
                out = new DnsMessage(out.id(), out.flags(), out.questions(), out.answers(), out.authority(), ar);
            }
            byte[] b = out.encode(limit);
            sent(DnsMessage.parse(b, 0, b.length), from, null);
            return b;
        });
    }

    private void sent(DnsMessage m, Ipv4Address to, String note) {
        node.counterSet().increment(LAYER, "responses_sent");
        node.event(LAYER, "response_sent", "role", role(), "to", to.toString(), "id", m.id(),
                "name", m.question() == null ? "" : m.question().name().toString(),
                "rcode", DnsMessage.rcodeName(m.rcode()), "aa", m.authoritative(), "tc", m.truncated(),
                "ra", m.recursionAvailable(), "answers", m.answers().size(), "authority", m.authority().size(),
                "additional", m.additional().size(), "note", note == null ? "" : note);
    }
}
