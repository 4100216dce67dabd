package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.TcpSegment;
import dev.wirelab.netstack.wire.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bulk transfers h1 -> r1 -> h2 through the real bus in virtual time, clean and under loss,
 * duplication, reordering and corruption: the bytes arrive intact (SHA-256), retransmissions show
 * in the trace, and tshark judges the capture (no malformed frame; bad TCP checksums only on frames
 * the bus corrupted on the first hop and the router forwarded), sees the expected handshake and
 * close, and reassembles the same stream.
 */
class TcpLabTest {

    static final String TOPOLOGY = """
            name: tcp-bulk
            segments: [lan1, lan2]
            nodes:
              h1: { kind: host, interfaces: { eth0: { segment: lan1, address: 10.0.1.10/24 } },
                    routes: [ { to: default, via: 10.0.1.1 } ] }
              r1: { kind: router, interfaces: { eth0: { segment: lan1, address: 10.0.1.1/24 },
                                                eth1: { segment: lan2, address: 10.0.2.1/24 } } }
              h2: { kind: host, interfaces: { eth0: { segment: lan2, address: 10.0.2.10/24 } },
                    routes: [ { to: default, via: 10.0.2.1 } ] }
            links:
              lan1: { delay: 1ms, %s }
              lan2: { delay: 1ms, %s }
            seed: %d
            """;

    /** Sends {@code data} from h1 to h2:5001 with the engine API and collects what h2 reads. */
    static final class Bulk {
        final byte[] data;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final Lab lab;
        TcpConnection client;
        TcpConnection server;
        int sent;
        boolean serverClosed;
        boolean clientClosed;

        /** Listens on h2:5001; {@link #connect()} starts the client. */
        Bulk(Lab lab, byte[] data) {
            this(lab, data, TcpOptions.DEFAULT);
        }

        /** Listens on h2:5001 with {@code serverOptions} (inherited by the accepted connection). */
        Bulk(Lab lab, byte[] data, TcpOptions serverOptions) {
            this.lab = lab;
            this.data = data;
            TcpLayer h2 = TcpLayer.of(lab.node("h2"));
            TcpListener l = h2.listen(Ipv4Address.ANY, 5001, 8, serverOptions);
            l.setListener(() -> {
                server = l.accept();
                server.setListener(new TcpConnection.Listener() {
                    @Override
                    public void onReadable() {
                        drain();
                    }
                });
                drain();
            });
        }

        Bulk connect() {
            client = TcpLayer.of(lab.node("h1")).connect(null, 0, Ipv4Address.parse("10.0.2.10"), 5001,
                    TcpOptions.DEFAULT);
            client.setListener(new TcpConnection.Listener() {
                @Override
                public void onEstablished() {
                    pump();
                }

                @Override
                public void onWritable() {
                    pump();
                }

                @Override
                public void onClosed(TcpError error) {
                    clientClosed = true;
                }
            });
            return this;
        }

        void pump() {
            if (client.error() != null || client.state() == TcpState.CLOSED) {
                return;
            }
            while (sent < data.length) {
                int n = client.send(data, sent, data.length - sent);
                if (n == 0) {
                    return;
                }
                sent += n;
            }
            if (client.state() == TcpState.ESTABLISHED) {
                client.shutdownOutput();
            }
        }

        void drain() {
            byte[] buf = new byte[65536];
            while (true) {
                int n = server.receive(buf, 0, buf.length);
                if (n > 0) {
                    got.write(buf, 0, n);
                } else {
                    if (n < 0 && !serverClosed) {
                        serverClosed = true;
                        server.close();
                    }
                    return;
                }
            }
        }

        boolean done() {
            return serverClosed && clientClosed;
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Impairments per segment. Corruption is on lan1 only: a frame corrupted there and forwarded by
     * r1 (routers do not check TCP checksums) could otherwise be corrupted again on lan2, and two
     * opposite flips of the same bit in different 16-bit words cancel out in the Internet checksum
     * (RFC 1071) -- real TCP would accept such data too. Loss of 30% is on lan2 only: on both
     * segments a round trip would succeed one time in four.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "clean; 'loss: 0'; 'loss: 0'; 2097152; 11",
            "lossy-5pct; 'loss: 5%'; 'loss: 5%'; 1048576; 12",
            "lossy-30pct; 'loss: 0'; 'loss: 30%'; 524288; 13",
            "duplicate-10pct; 'duplicate: 10%'; 'duplicate: 10%'; 1048576; 14",
            "reorder-20pct; 'reorder: 20%'; 'reorder: 20%'; 1048576; 15",
            "corrupt-5pct; 'corrupt: 5%'; 'loss: 0'; 1048576; 16",
            "everything; 'loss: 5%, duplicate: 10%, reorder: 20%, corrupt: 5%'; "
                    + "'loss: 5%, duplicate: 10%, reorder: 20%'; 1048576; 17"})
    void bulkTransferArrivesIntact(String name, String lan1, String lan2, int size, long seed) throws IOException {
        Topology impaired = Topologies.parseYaml(TOPOLOGY.formatted(lan1, lan2, seed));
        try (Lab lab = Lab.build(Topologies.parseYaml(TOPOLOGY.formatted("loss: 0", "loss: 0", seed)),
                Lab.Options.virtual())) {
            lab.start();
            // ARP first, on clean links (under 30% loss an ARP failure would refuse the connect with
            // EHOSTUNREACH, as on Linux); then the impairments.
            assertThat(lab.run("h1", "ping -c 1 10.0.2.10").exitCode()).isZero();
            lab.bus().setImpairments("lan1", Lab.impairments(impaired.link("lan1")));
            lab.bus().setImpairments("lan2", Lab.impairments(impaired.link("lan2")));
            VirtualTimeScheduler clock = (VirtualTimeScheduler) lab.node("h1").loop();
            byte[] data = new byte[size];
            new Random(seed).nextBytes(data);
            Bulk bulk = new Bulk(lab, data).connect();
            long deadline = clock.nanos() + TimeUnit.HOURS.toNanos(2);
            boolean finished = clock.runUntil(bulk::done, deadline);
            assertThat(finished).as("%s finished within 2 h of lab time (client %s %s, server %s, %d of %d bytes)", name,
                    bulk.client.info() + " next " + bulk.client.nextDeadline() + " now " + clock.nanos(), bulk.client.error(),
                    bulk.server == null ? null : bulk.server.info() + " next " + bulk.server.nextDeadline(),
                    bulk.got.size(), size).isTrue();
            clock.runFor(TimeUnit.SECONDS.toNanos(5)); // the last ACK reaches h2
            assertThat(bulk.client.error()).isNull();
            assertThat(sha256(bulk.got.toByteArray())).as("SHA-256 of what h2 read (%d of %d bytes)", bulk.got.size(),
                    size).isEqualTo(sha256(data));

            Node h1 = lab.node("h1");
            List<TraceEvent> retransmits = lab.trace().events(e -> e.node().equals("h1") && e.layer().equals("tcp")
                    && e.kind().equals("retransmit"));
            if (!name.equals("clean") && !name.startsWith("duplicate")) {
                assertThat(retransmits).as("retransmissions in the trace").isNotEmpty();
                assertThat(h1.counters().get("tcp.retransmitted")).isEqualTo(retransmits.size());
            }
            if (name.equals("clean")) {
                assertThat(retransmits).isEmpty();
                assertThat(h1.counters()).doesNotContainKey("tcp.retransmitted");
            }
            assertThat(lab.trace().events(e -> e.node().equals("h1") && e.kind().equals("state")))
                    .extracting(e -> e.detail().get("to"))
                    .containsSubsequence("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT");
            assertThat(lab.trace().events(e -> e.node().equals("h2") && e.kind().equals("state")))
                    .extracting(e -> e.detail().get("to"))
                    .containsSubsequence("LISTEN", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED");

            Path capture = Captures.save(lab, "TcpLabTest/bulk-" + name);
            List<CapturedFrame> frames = lab.trace().frames();
            Set<Integer> ourBad = badTcpChecksums(frames);
            if (!name.startsWith("corrupt") && !name.equals("everything")) {
                assertThat(ourBad).as("no bad TCP checksum without corruption").isEmpty();
            } else {
                assertThat(ourBad).as("the bus corrupted some frames that r1 forwarded").isNotEmpty();
                for (int n : ourBad) {
                    assertThat(explainedByOneBitFlip(frames, n - 1)).as("frame %d is a forwarded one-bit corruption", n)
                            .isTrue();
                }
            }
            judgeWithTshark(capture, ourBad, bulk, name);
        }
    }

    /** Frame numbers (1-based, as tshark counts) whose TCP checksum is wrong, by our decoder. */
    static Set<Integer> badTcpChecksums(List<CapturedFrame> frames) {
        Set<Integer> bad = new TreeSet<>();
        for (int i = 0; i < frames.size(); i++) {
            Ipv4Packet ip = ipOf(frames.get(i));
            if (ip != null && ip.protocol() == Ipv4Packet.PROTOCOL_TCP && !ip.isFragment()) {
                byte[] p = ip.payload();
                if (p.length < 20 || !TcpSegment.checksumValid(p, 0, p.length, ip.source(), ip.destination())) {
                    bad.add(i + 1);
                }
            }
        }
        return bad;
    }

    static Ipv4Packet ipOf(CapturedFrame f) {
        try {
            EthernetFrame e = EthernetFrame.parse(f.bytes());
            if (e.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                return null;
            }
            return Ipv4Packet.parse(e.payload(), 0, e.payload().length);
        } catch (WireFormatException e) {
            return null;
        }
    }

    /**
     * The frame at {@code index} was forwarded by r1 and carries exactly one flipped bit compared
     * with the same datagram (source, destination, IP identification) captured earlier on the
     * other segment: the bus corrupted it on the first hop.
     */
    static boolean explainedByOneBitFlip(List<CapturedFrame> frames, int index) {
        CapturedFrame bad = frames.get(index);
        Ipv4Packet b = ipOf(bad);
        if (b == null || !bad.ingressPort().startsWith("r1:")) {
            return false;
        }
        for (int i = index - 1; i >= 0; i--) {
            CapturedFrame f = frames.get(i);
            if (f.segment().equals(bad.segment())) {
                continue;
            }
            Ipv4Packet a = ipOf(f);
            if (a != null && a.identification() == b.identification() && a.source().equals(b.source())
                    && a.destination().equals(b.destination()) && a.payload().length == b.payload().length) {
                int bits = 0;
                for (int k = 0; k < a.payload().length; k++) {
                    bits += Integer.bitCount((a.payload()[k] ^ b.payload()[k]) & 0xFF);
                }
                if (bits == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void judgeWithTshark(Path capture, Set<Integer> ourBad, Bulk bulk, String name) throws IOException {
        if (!Tshark.available()) {
            return;
        }
        // Every frame tshark flags (malformed, bad checksum, error-level expert info) must be one
        // our decoder also finds with a bad TCP checksum, and tshark must agree on each of those.
        List<Map<String, String>> problems = Tshark.fields(capture, false, Tshark.PROBLEM_FILTER, "frame.number",
                "_ws.malformed", "tcp.checksum.status", "ip.checksum.status");
        Set<Integer> flagged = problems.stream().map(r -> Integer.parseInt(r.get("frame.number")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(flagged).as("frames tshark flags in %s", name).isEqualTo(ourBad);
        assertThat(problems).allSatisfy(r -> {
            assertThat(r.get("_ws.malformed")).isEmpty();
            assertThat(r.get("tcp.checksum.status")).isEqualTo("0");
            assertThat(r.get("ip.checksum.status")).isEqualTo("1");
        });
        // The TCP conversation as tshark sees it on lan1: handshake first, FIN exchange last.
        List<Map<String, String>> lan1 = Tshark.fields(capture, false, "tcp && frame.interface_name == \"lan1\"",
                "ip.src", "tcp.flags");
        List<String> flags = lan1.stream().map(r -> r.get("ip.src") + " " + r.get("tcp.flags")).toList();
        if (name.equals("clean")) {
            assertThat(flags.subList(0, 3)).containsExactly("10.0.1.10 0x0002", "10.0.2.10 0x0012", "10.0.1.10 0x0010");
            // h1's FIN rides on its last data segment (shutdown right after the last write); h2 ACKs,
            // reads the end of stream and closes: its FIN, and h1's last ACK.
            int fin = -1;
            for (int i = 0; i < lan1.size(); i++) {
                if (flags.get(i).startsWith("10.0.1.10") && (Integer.decode(lan1.get(i).get("tcp.flags")) & 1) != 0) {
                    fin = i;
                    break;
                }
            }
            assertThat(fin).as("h1's FIN").isPositive();
            assertThat(flags.subList(fin + 1, flags.size() - 2)).isNotEmpty().allMatch(f -> f.equals("10.0.2.10 0x0010"));
            assertThat(flags.subList(flags.size() - 2, flags.size())).containsExactly("10.0.2.10 0x0011", "10.0.1.10 0x0010");
        } else {
            assertThat(flags.get(0)).isEqualTo("10.0.1.10 0x0002");
            assertThat(flags).containsSubsequence("10.0.1.10 0x0002", "10.0.2.10 0x0012", "10.0.1.10 0x0010");
            assertThat(flags).anyMatch(f -> f.startsWith("10.0.2.10") && (Integer.decode(f.substring(10)) & 1) != 0);
        }
        // tshark's stream reassembly of what reached lan2 (without the frames the bus corrupted) is
        // exactly what h1 sent.
        Path lan2 = capture.resolveSibling(capture.getFileName().toString().replace(".pcapng", "-lan2.pcapng"));
        run(List.of("tshark", "-n", "-r", capture.toString(), "-o", "tcp.check_checksum:TRUE",
                "-Y", "frame.interface_name == \"lan2\" && !(tcp.checksum.status == 0)", "-w", lan2.toString()));
        String follow = run(List.of("tshark", "-n", "-r", lan2.toString(), "-q", "-z", "follow,tcp,raw,0"));
        assertThat(sha256(clientToServer(follow))).as("tshark's reassembly of the stream").isEqualTo(sha256(bulk.data));
    }

    /** The client's side of {@code -z follow,tcp,raw}: unindented hex lines between the header and the footer. */
    static byte[] clientToServer(String follow) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean inBody = false;
        for (String line : follow.split("\n")) {
            if (line.startsWith("Node 1:")) {
                inBody = true;
                continue;
            }
            if (!inBody || line.startsWith("=") || line.isBlank() || line.startsWith("\t")) {
                continue;
            }
            out.writeBytes(HexFormat.of().parseHex(line.strip()));
        }
        return out.toByteArray();
    }

    /** The server's bytes in the output of {@code tshark -z follow,tcp,raw,...} (the lines after a tab). */
    static byte[] serverToClient(String follow) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean inBody = false;
        for (String line : follow.split("\n")) {
            if (line.startsWith("Node 1:")) {
                inBody = true;
                continue;
            }
            if (inBody && line.startsWith("\t") && !line.isBlank()) {
                out.writeBytes(HexFormat.of().parseHex(line.strip()));
            }
        }
        return out.toByteArray();
    }

    static String run(List<String> cmd) throws IOException {
        Path out = Files.createTempFile("tshark", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timeout: " + cmd);
            }
            assertThat(p.exitValue()).as("exit of %s", cmd).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static List<String> lines(String s) {
        return new ArrayList<>(s.lines().toList());
    }
}
