package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.udp.UdpLayer;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one DNS query over UDP and waits for its answer, as resolvers must (RFC 5452 section 9.1
 * / RFC 1035 section 7.3): a random query ID and a random source port from the node's seeded RNG,
 * and a response is taken only if it comes from the server's address and port 53, carries the ID,
 * and echoes the question; anything else is counted and dropped while the wait goes on. Runs on
 * the node's loop.
 */
public final class DnsClient {

    /** A response and how long it took. */
    public record Response(DnsMessage message, Ipv4Address server, long rttNanos, int size) {
    }

    /** No valid response in time. */
    public static final class TimeoutException extends RuntimeException {
        public TimeoutException(String message) {
            super(message);
        }
    }

    private static final String LAYER = "dns";

    private DnsClient() {
    }

    /**
     * Sends {@code question} to {@code server}:53.
     *
     * @param purpose a word for the trace ("stub", "iterative", "dig")
     * @return completes on the loop with the response, or exceptionally with {@link TimeoutException}
     */
    public static CompletableFuture<Response> query(Node node, Ipv4Address server, DnsQuestion question,
                                                    boolean recursionDesired, long timeoutNanos, String purpose) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        int id = node.random().nextInt(0x10000);
        DnsMessage query = DnsMessage.query(id, question, recursionDesired);
        UdpSocket socket = openRandomPort(node);
        long sentAt = node.loop().nanos();
        Cancellable[] timer = {Cancellable.NONE};
        socket.onReceive(u -> {
            DnsMessage m = validate(node, u, server, id, question);
            if (m == null) {
                return;
            }
            timer[0].cancel();
            socket.close();
            long rtt = node.loop().nanos() - sentAt;
            node.event(LAYER, "response_received", "purpose", purpose, "server", server.toString(), "id", id,
                    "name", question.name().toString(), "type", DnsRecord.typeName(question.type()),
                    "rcode", DnsMessage.rcodeName(m.rcode()), "aa", m.authoritative(), "tc", m.truncated(),
                    "answers", m.answers().size(), "authority", m.authority().size(),
                    "additional", m.additional().size(), "rtt_ms", rtt / 1_000_000.0);
            result.complete(new Response(m, server, rtt, u.payload().length));
        });
        node.counterSet().increment(LAYER, "queries_sent");
        node.event(LAYER, "query_sent", "purpose", purpose, "server", server.toString(), "id", id,
                "name", question.name().toString(), "type", DnsRecord.typeName(question.type()),
                "rd", recursionDesired, "source_port", socket.localPort());
        var sent = socket.sendTo(server, DnsMessage.PORT, query.encode());
        if (!sent.ok()) {
            socket.close();
            result.completeExceptionally(new TimeoutException("cannot send to " + server + ": " + sent.status()));
            return result;
        }
        timer[0] = node.loop().schedule(timeoutNanos, () -> {
            socket.close();
            node.counterSet().increment(LAYER, "query_timeouts");
            node.event(LAYER, "query_timeout", "purpose", purpose, "server", server.toString(), "id", id,
                    "name", question.name().toString(), "type", DnsRecord.typeName(question.type()),
                    "after_ms", timeoutNanos / 1_000_000);
            result.completeExceptionally(new TimeoutException("no response from " + server + " in "
                    + timeoutNanos / 1_000_000 + " ms"));
        });
        return result;
    }

    /** A UDP socket on a random port of the ephemeral range (RFC 5452 section 10: source port randomisation). */
    static UdpSocket openRandomPort(Node node) {
        int span = UdpLayer.EPHEMERAL_LAST - UdpLayer.EPHEMERAL_FIRST + 1;
        for (int i = 0; i < 16; i++) {
            int port = UdpLayer.EPHEMERAL_FIRST + node.random().nextInt(span);
            try {
                return node.udp().open(Ipv4Address.ANY, port);
            } catch (IllegalStateException inUse) {
                // try another
            }
        }
        return node.udp().open(Ipv4Address.ANY, 0);
    }

    private static DnsMessage validate(Node node, UdpMessage u, Ipv4Address server, int id, DnsQuestion question) {
        String reason = null;
        DnsMessage m = null;
        if (!u.source().equals(server) || u.sourcePort() != DnsMessage.PORT) {
            reason = "wrong_source";
        } else {
            try {
                m = DnsMessage.parse(u.payload(), 0, u.payload().length);
                if (m.id() != id) {
                    reason = "wrong_id";
                } else if (!m.isResponse()) {
                    reason = "not_a_response";
                } else if (m.questions().size() != 1 || !m.question().name().equals(question.name())
                        || m.question().type() != question.type() || m.question().qclass() != question.qclass()) {
                    // FORMERR answers may come without the question (RFC 1035 leaves it open).
                    if (!(m.rcode() == DnsMessage.FORMERR && m.questions().isEmpty())) {
                        reason = "question_mismatch";
                    }
                }
            } catch (WireFormatException e) {
                reason = "malformed";
                node.event(LAYER, "drop", "reason", "malformed", "from", u.source() + ":" + u.sourcePort(),
                        "error", e.getMessage());
            }
        }
        if (reason != null) {
            node.counterSet().drop(LAYER, reason);
            node.event(LAYER, "response_rejected", "reason", reason, "from", u.source() + ":" + u.sourcePort(),
                    "expected", server + ":53", "id", id);
            return null;
        }
        return m;
    }
}
