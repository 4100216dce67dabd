package dev.wirelab.netstack.dns;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpError;
import dev.wirelab.netstack.tcp.TcpException;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.wire.DnsMessage;
import dev.wirelab.netstack.wire.DnsQuestion;
import dev.wirelab.netstack.wire.DnsRecord;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * DNS over TCP (RFC 1035 section 4.2.2, RFC 7766): each message is preceded by a two-byte length.
 * The framing ({@link #frame}, {@link Reader}), the server side of one connection ({@link #serve})
 * and a client query ({@link #query}). Runs on the node's loop, on the node's TCP.
 */
public final class DnsTcp {

    /** RFC 7766 section 6.2.3: a server may close a connection that stays idle; here after 10 s. */
    public static final long IDLE_TIMEOUT = 10_000_000_000L;

    private static final String LAYER = "dns";

    private DnsTcp() {
    }

    /** The message with its two-byte length (RFC 1035 section 4.2.2: "a two byte length field"). */
    public static byte[] frame(byte[] message) {
        if (message.length > 0xFFFF) {
            throw new IllegalArgumentException("a DNS message over TCP is at most 65535 bytes: " + message.length);
        }
        byte[] out = new byte[message.length + 2];
        out[0] = (byte) (message.length >>> 8);
        out[1] = (byte) message.length;
        System.arraycopy(message, 0, out, 2, message.length);
        return out;
    }

    /** Splits a byte stream into messages, whatever the segment boundaries. */
    public static final class Reader {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        /** Adds bytes; returns the messages now complete, in order. */
        public List<byte[]> feed(byte[] b, int off, int len) {
            pending.write(b, off, len);
            List<byte[]> out = new ArrayList<>();
            byte[] all = pending.toByteArray();
            int p = 0;
            while (all.length - p >= 2) {
                int n = ((all[p] & 0xFF) << 8) | (all[p + 1] & 0xFF);
                if (all.length - p - 2 < n) {
                    break;
                }
                out.add(Arrays.copyOfRange(all, p + 2, p + 2 + n));
                p += 2 + n;
            }
            pending.reset();
            pending.write(all, p, all.length - p);
            return out;
        }

        /** Bytes of a message not complete yet. */
        public int buffered() {
            return pending.size();
        }
    }

    /** Writes to a connection as its send buffer allows, keeping the rest until it is writable. */
    private static final class Out {
        private final TcpConnection c;
        private final ByteArrayOutputStream queue = new ByteArrayOutputStream();
        private boolean closeWhenFlushed;

        Out(TcpConnection c) {
            this.c = c;
        }

        void write(byte[] b) {
            queue.write(b, 0, b.length);
            flush();
        }

        void flush() {
            byte[] all = queue.toByteArray();
            int sent = 0;
            try {
                while (sent < all.length) {
                    int n = c.send(all, sent, all.length - sent);
                    if (n <= 0) {
                        break;
                    }
                    sent += n;
                }
            } catch (TcpException e) {
                queue.reset();
                return;
            }
            queue.reset();
            queue.write(all, sent, all.length - sent);
            if (closeWhenFlushed && queue.size() == 0) {
                c.close();
            }
        }

        void closeWhenFlushed() {
            closeWhenFlushed = true;
            flush();
        }
    }

    /**
     * Serves one accepted connection: every message read is answered by {@code handler} (message,
     * client) in order of arrival; the connection closes when the client closes its side or after
     * {@link #IDLE_TIMEOUT} without a query.
     */
    public static void serve(Node node, TcpConnection c, BiFunction<byte[], Ipv4Address, CompletableFuture<byte[]>> handler) {
        Reader reader = new Reader();
        Out out = new Out(c);
        Cancellable[] idle = {Cancellable.NONE};
        Runnable rearm = () -> {
            idle[0].cancel();
            idle[0] = node.loop().schedule(IDLE_TIMEOUT, () -> {
                node.event(LAYER, "tcp_idle_close", "client", c.remoteAddress() + ":" + c.remotePort());
                out.closeWhenFlushed();
            });
        };
        Runnable read = () -> {
            byte[] buf = new byte[4096];
            try {
                while (true) {
                    int n = c.receive(buf, 0, buf.length);
                    if (n > 0) {
                        rearm.run();
                        for (byte[] msg : reader.feed(buf, 0, n)) {
                            handler.apply(msg, c.remoteAddress()).thenAccept(resp -> {
                                if (resp != null) {
                                    out.write(frame(resp));
                                }
                            });
                        }
                    } else {
                        if (n < 0) {
                            idle[0].cancel();
                            out.closeWhenFlushed();
                        }
                        return;
                    }
                }
            } catch (TcpException e) {
                idle[0].cancel();
            }
        };
        c.setListener(new TcpConnection.Listener() {
            @Override
            public void onReadable() {
                read.run();
            }

            @Override
            public void onWritable() {
                out.flush();
            }

            @Override
            public void onClosed(TcpError error) {
                idle[0].cancel();
            }
        });
        rearm.run();
        read.run(); // data may have come with the handshake
    }

    /** True when {@code node} has a TCP to query with. */
    public static boolean available(Node node) {
        return TcpLayer.find(node).isPresent();
    }

    /**
     * One query over a new TCP connection to {@code server}:53 (RFC 7766 section 5: the fallback
     * after a truncated UDP answer). The response must carry the query's ID and question.
     */
    public static CompletableFuture<DnsClient.Response> query(Node node, Ipv4Address server, DnsQuestion question,
                                                              boolean recursionDesired, long timeoutNanos, String purpose) {
        CompletableFuture<DnsClient.Response> result = new CompletableFuture<>();
        TcpLayer tcp = TcpLayer.find(node).orElse(null);
        if (tcp == null) {
            result.completeExceptionally(new DnsClient.TimeoutException(node.name() + " has no TCP"));
            return result;
        }
        int id = node.random().nextInt(0x10000);
        byte[] query = frame(DnsMessage.query(id, question, recursionDesired).encode());
        long sentAt = node.loop().nanos();
        TcpConnection c;
        try {
            c = tcp.connect(null, 0, server, DnsMessage.PORT, null);
        } catch (TcpException e) {
            result.completeExceptionally(new DnsClient.TimeoutException("cannot connect to " + server + ": " + e.getMessage()));
            return result;
        }
        node.counterSet().increment(LAYER, "queries_sent");
        node.event(LAYER, "query_sent", "purpose", purpose, "server", server.toString(), "id", id,
                "name", question.name().toString(), "type", DnsRecord.typeName(question.type()), "rd", recursionDesired,
                "transport", "tcp", "source_port", c.localPort());
        Out out = new Out(c);
        Reader reader = new Reader();
        Cancellable timer = node.loop().schedule(timeoutNanos, () -> {
            if (!result.isDone()) {
                c.abort();
                node.counterSet().increment(LAYER, "query_timeouts");
                node.event(LAYER, "query_timeout", "purpose", purpose, "server", server.toString(), "id", id,
                        "name", question.name().toString(), "transport", "tcp", "after_ms", timeoutNanos / 1_000_000);
                result.completeExceptionally(new DnsClient.TimeoutException("no TCP response from " + server));
            }
        });
        c.setListener(new TcpConnection.Listener() {
            @Override
            public void onEstablished() {
                out.write(query);
            }

            @Override
            public void onWritable() {
                out.flush();
            }

            @Override
            public void onReadable() {
                byte[] buf = new byte[4096];
                try {
                    int n;
                    while ((n = c.receive(buf, 0, buf.length)) > 0) {
                        for (byte[] msg : reader.feed(buf, 0, n)) {
                            accept(msg);
                        }
                    }
                } catch (TcpException e) {
                    fail("connection failed: " + e.getMessage());
                }
            }

            private void accept(byte[] msg) {
                if (result.isDone()) {
                    return;
                }
                try {
                    DnsMessage m = DnsMessage.parse(msg, 0, msg.length);
                    if (m.id() != id || !m.isResponse() || m.question() == null || !m.question().equals(question)) {
                        node.counterSet().drop(LAYER, "question_mismatch");
                        node.event(LAYER, "response_rejected", "reason", "question_mismatch", "from", server + ":53",
                                "transport", "tcp", "id", id);
                        return;
                    }
                    timer.cancel();
                    long rtt = node.loop().nanos() - sentAt;
                    node.event(LAYER, "response_received", "purpose", purpose, "server", server.toString(), "id", id,
                            "name", question.name().toString(), "type", DnsRecord.typeName(question.type()),
                            "rcode", DnsMessage.rcodeName(m.rcode()), "aa", m.authoritative(), "tc", m.truncated(),
                            "answers", m.answers().size(), "authority", m.authority().size(),
                            "additional", m.additional().size(), "transport", "tcp", "rtt_ms", rtt / 1_000_000.0);
                    c.close(); // RFC 7766 section 6.2.1: the client closes when it has no more queries
                    result.complete(new DnsClient.Response(m, server, rtt, msg.length));
                } catch (WireFormatException e) {
                    node.counterSet().drop(LAYER, "malformed");
                    node.event(LAYER, "drop", "reason", "malformed", "from", server + ":53", "error", e.getMessage());
                }
            }

            @Override
            public void onClosed(TcpError error) {
                fail(error == null ? "connection closed without a response" : "connection " + error);
            }

            private void fail(String why) {
                if (!result.isDone()) {
                    timer.cancel();
                    node.event(LAYER, "query_failed", "purpose", purpose, "server", server.toString(), "id", id,
                            "transport", "tcp", "reason", why);
                    result.completeExceptionally(new DnsClient.TimeoutException(why));
                }
            }
        });
        return result;
    }
}
