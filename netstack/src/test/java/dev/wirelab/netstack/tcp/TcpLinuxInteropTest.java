package dev.wirelab.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.bus.DropReason;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.LinuxNetns;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.wire.Ipv4Address;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our TCP against the Linux kernel's, through a kernel VXLAN device in a network namespace that
 * joins segment "lan" (real time). The Linux side is a few lines of Perl (perl-base is always
 * installed on Debian) over IO::Socket::INET.
 * <pre>
 *   linux 10.61.0.2 (vx61, VNI 61) == [lan 10.61.0.0/24, MTU 1450] .1 r1 .1 [back 10.62.0.0/24] .10 h1
 *   underlay: root ns 10.255.61.1/30 (the bus, UDP 4789) -- veth -- namespace 10.255.61.2/30
 * </pre>
 * h1's NIC and r1's NIC on lan have TCP segmentation offload: what h1 sends crosses back and lan as
 * super-packets, and the bus cuts them into ordinary segments for the VXLAN port, so the kernel
 * sees frames within its MTU. Traffic from Linux takes the ordinary path.
 */
@Timeout(180)
class TcpLinuxInteropTest {

    static final String TOPOLOGY = """
            name: tcp-interop
            segments:
              - { name: lan, vni: 61, mtu: 1450 }
              - back
            nodes:
              r1: { kind: router, interfaces: { eth0: { segment: lan, address: 10.61.0.1/24, tso: true },
                                                eth1: { segment: back, address: 10.62.0.1/24 } } }
              h1: { kind: host, interfaces: { eth0: { segment: back, address: 10.62.0.10/24, tso: true } },
                    routes: [ { to: default, via: 10.62.0.1 } ] }
            external:
              - { name: linux, segment: lan, remote: "10.255.61.2:4789" }
            bus: { bind: 10.255.61.1, port: 4789 }
            """;

    private static LinuxNetns linux;
    private static Lab lab;

    @BeforeAll
    static void setUp() throws Exception {
        LinuxNetns.requireRootAndIproute2();
        linux = LinuxNetns.create("wl-tcp-interop", "wltcp0", "10.255.61.1/30", "wltcp1", "10.255.61.2/30");
        linux.addVxlan("vx61", 61, "10.255.61.2", "10.255.61.1", 4789, "10.61.0.2/24");
        linux.ip("route", "add", "10.62.0.0/24", "via", "10.61.0.1");
        lab = Lab.build(Topologies.parseYaml(TOPOLOGY), Lab.Options.real());
        lab.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            // Every frame of both segments: each TCP segment shows twice (as it enters lan and again
            // as r1 forwards it to back), which tshark's stream analysis takes for retransmissions
            // with overlapping data (errors). Not judged.
            Captures.save(lab, "TcpLinuxInteropTest/linux-tcp-all", CaptureView.ALL);
            // The default capture: each connection once, from its client's segment.
            Path view = Captures.save(lab, "TcpLinuxInteropTest/linux-tcp", CaptureView.CONVERSATIONS);
            lab.close();
            if (Tshark.available()) {
                assertThat(Tshark.judge(view).problems()).as("tshark on " + view).isEmpty();
            }
            // And one capture per segment.
            for (String segment : List.of("lan", "back")) {
                Path p = Captures.DIR.resolve("TcpLinuxInteropTest").resolve("linux-tcp-" + segment + ".pcapng");
                PcapngWriter.write(lab.trace().frames().stream().filter(f -> f.segment().equals(segment)).toList(),
                        lab.epochUnixNanos(), p);
                if (Tshark.available()) {
                    assertThat(Tshark.judge(p).problems()).as("tshark on " + p).isEmpty();
                }
            }
        }
        if (linux != null) {
            linux.close();
        }
    }

    /**
     * The default capture of the lab so far: tshark finds nothing wrong in it and, following the
     * connection from {@code client} to {@code server}, reassembles exactly the bytes each side sent.
     */
    private static void assertWiresharkFollows(String name, String client, String server, byte[] fromClient,
                                               byte[] fromServer) throws IOException {
        Path p = Captures.save(lab, "TcpLinuxInteropTest/" + name, CaptureView.CONVERSATIONS);
        if (!Tshark.available()) {
            return;
        }
        assertThat(Tshark.judge(p).problems()).as("tshark on " + p).isEmpty();
        String follow = TcpLabTest.run(List.of("tshark", "-n", "-r", p.toString(), "-q", "-z",
                "follow,tcp,raw," + client + "," + server));
        assertThat(sha256Hex(TcpLabTest.clientToServer(follow))).as("what tshark reassembles of the client's bytes")
                .isEqualTo(sha256Hex(fromClient));
        assertThat(sha256Hex(TcpLabTest.serverToClient(follow))).as("what tshark reassembles of the server's bytes")
                .isEqualTo(sha256Hex(fromServer));
    }

    private static <T> T onLoop(Node node, java.util.concurrent.Callable<T> call) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        node.loop().execute(() -> {
            try {
                f.complete(call.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    private static String sha256Hex(byte[] b) {
        return HexFormat.of().formatHex(TcpLabTest.sha256(b));
    }

    private static Process perl(String script, Path... files) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", "wl-tcp-interop", "perl",
                "-MIO::Socket::INET", "-e", script));
        for (Path p : files) {
            cmd.add(p.toString());
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void linuxClientSendsToAVirtualServerAndReadsItsReply() throws Exception {
        Node h1 = lab.node("h1");
        byte[] data = new byte[1 << 20];
        new Random(61).nextBytes(data);
        Path in = Files.createTempFile("wl-tcp-in", ".bin");
        Path out = Files.createTempFile("wl-tcp-out", ".bin");
        Files.write(in, data);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        CompletableFuture<TcpConnection> served = new CompletableFuture<>();
        onLoop(h1, () -> {
            TcpListener l = TcpLayer.of(h1).listen(Ipv4Address.ANY, 7000, 4, TcpOptions.DEFAULT);
            l.setListener(() -> {
                TcpConnection c = l.accept();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                c.setListener(new TcpConnection.Listener() {
                    @Override
                    public void onReadable() {
                        byte[] buf = new byte[65536];
                        int n;
                        while ((n = c.receive(buf, 0, buf.length)) > 0) {
                            got.write(buf, 0, n);
                        }
                        if (n < 0 && !received.isDone()) {
                            byte[] all = got.toByteArray();
                            received.complete(all);
                            byte[] reply = (sha256Hex(all) + " " + all.length + "\n").getBytes(StandardCharsets.US_ASCII);
                            c.send(reply, 0, reply.length);
                            c.close();
                            served.complete(c);
                        }
                    }
                });
            });
            return l;
        });
        Process client = perl("$s=IO::Socket::INET->new(PeerAddr=>'10.62.0.10:7000') or die \"connect: $!\";"
                + " binmode $s; open(F,'<',$ARGV[0]) or die; binmode F;"
                + " while(read(F,$b,65536)){print $s $b or die \"write: $!\"} $s->shutdown(1);"
                + " open(O,'>',$ARGV[1]) or die; binmode O; while(sysread($s,$b,65536)){print O $b} close O; close $s;",
                in, out);
        assertThat(client.waitFor(90, TimeUnit.SECONDS)).as("the Linux client ends").isTrue();
        String clientOutput = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.exitValue()).as(clientOutput).isZero();
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(data);
        assertThat(Files.readString(out)).isEqualTo(sha256Hex(data) + " " + data.length + "\n");
        TcpConnection c = served.get(10, TimeUnit.SECONDS);
        // Linux closed first (its FIN after the data), we answered: CLOSE-WAIT, LAST-ACK, CLOSED.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onLoop(h1, c::state) != TcpState.CLOSED && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(onLoop(h1, c::state)).isEqualTo(TcpState.CLOSED);
        assertThat(onLoop(h1, c::error)).isNull();
        List<Object> states = lab.trace().events(e -> e.node().equals("h1") && e.kind().equals("state")
                        && ("10.61.0.2:" + c.remotePort()).equals(e.detail().get("remote")))
                .stream().map(e -> e.detail().get("to")).toList();
        assertThat(states).containsExactly("SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED");
        assertThat(h1.counters().getOrDefault("tcp.resets_received", 0L)).isZero();
        assertThat(h1.counters().getOrDefault("tcp.resets_sent", 0L)).isZero();
        assertWiresharkFollows("linux-client", "10.61.0.2:" + c.remotePort(), "10.62.0.10:7000", data,
                Files.readAllBytes(out));
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
    }

    @Test
    void virtualClientSendsToALinuxServerAndReadsItsReply() throws Exception {
        Node h1 = lab.node("h1");
        byte[] data = new byte[1 << 20];
        new Random(62).nextBytes(data);
        byte[] reply = new byte[300_000];
        new Random(63).nextBytes(reply);
        Path got = Files.createTempFile("wl-tcp-got", ".bin");
        Path replyFile = Files.createTempFile("wl-tcp-reply", ".bin");
        Files.write(replyFile, reply);
        Process server = perl("$l=IO::Socket::INET->new(LocalAddr=>'10.61.0.2:7001',Listen=>1,ReuseAddr=>1) or die"
                + " \"listen: $!\"; $c=$l->accept; binmode $c; open(O,'>',$ARGV[0]) or die; binmode O;"
                + " while(sysread($c,$b,65536)){print O $b} close O; open(F,'<',$ARGV[1]) or die; binmode F;"
                + " while(read(F,$b,65536)){print $c $b or die} close $c;", got, replyFile);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        CompletableFuture<TcpConnection> done = new CompletableFuture<>();
        TcpConnection c = null;
        for (int attempt = 0; attempt < 50 && c == null; attempt++) {
            Thread.sleep(100); // until perl listens
            CompletableFuture<TcpError> outcome = new CompletableFuture<>();
            int[] sent = {0};
            // connect and setListener in one loop task: the handshake may complete right after.
            TcpConnection k = onLoop(h1, () -> {
                TcpConnection nk = TcpLayer.of(h1).connect(null, 0, Ipv4Address.parse("10.61.0.2"), 7001,
                        TcpOptions.DEFAULT);
                nk.setListener(new TcpConnection.Listener() {
                    final TcpConnection k = nk;

                    @Override
                    public void onEstablished() {
                        outcome.complete(null);
                        onWritable();
                    }

                    @Override
                    public void onWritable() {
                        if (k.state() != TcpState.ESTABLISHED) {
                            return;
                        }
                        while (sent[0] < data.length) {
                            int n = k.send(data, sent[0], data.length - sent[0]);
                            if (n == 0) {
                                return;
                            }
                            sent[0] += n;
                        }
                        k.shutdownOutput();
                    }

                    @Override
                    public void onReadable() {
                        if (k.error() != null) {
                            return; // refused: onClosed tells
                        }
                        byte[] buf = new byte[65536];
                        int n;
                        while ((n = k.receive(buf, 0, buf.length)) > 0) {
                            answer.write(buf, 0, n);
                        }
                        if (n < 0) {
                            done.complete(k);
                        }
                    }

                    @Override
                    public void onClosed(TcpError error) {
                        outcome.complete(error);
                    }
                });
                return nk;
            });
            TcpError e = outcome.get(20, TimeUnit.SECONDS);
            if (e == null) {
                c = k;
            } else {
                assertThat(e).as("connect to the Linux server").isEqualTo(TcpError.REFUSED);
            }
        }
        assertThat(c).as("connected to the Linux server").isNotNull();
        TcpConnection conn = done.get(90, TimeUnit.SECONDS);
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as(new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(data);
        assertThat(answer.toByteArray()).isEqualTo(reply);
        // We closed our half first, so ours is the active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT.
        assertThat(onLoop(h1, conn::state)).isEqualTo(TcpState.TIME_WAIT);
        List<TraceEvent> states = lab.trace().events(e -> e.node().equals("h1") && e.kind().equals("state")
                && ("10.61.0.2:7001").equals(e.detail().get("remote")) && ("10.62.0.10:" + conn.localPort())
                .equals(e.detail().get("local")));
        assertThat(states).extracting(e -> e.detail().get("to"))
                .containsExactly("SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT");
        TcpInfo info = onLoop(h1, conn::info);
        assertThat(info.peerMss()).isEqualTo(1410); // the vxlan device's MTU 1450 - 40
        // h1 sent super-packets (TSO) that crossed lan whole; the kernel got them cut to its MTU.
        assertThat(lab.trace().frames()).anyMatch(f -> f.segment().equals("lan") && f.ingressPort().equals("r1:eth0")
                && f.bytes().length > 1450 + 14);
        assertThat(lab.bus().counters()).allSatisfy(pc -> {
            assertThat(pc.drops().get(DropReason.MALFORMED_SUPER_PACKET)).isZero();
            assertThat(pc.drops().get(DropReason.SEND_ERROR)).isZero();
        });
        assertThat(info.timestamps()).isTrue();
        assertThat(info.sendWindowScale()).isPositive();
        assertWiresharkFollows("virtual-client", "10.62.0.10:" + conn.localPort(), "10.61.0.2:7001", data, reply);
        Files.deleteIfExists(got);
        Files.deleteIfExists(replyFile);
    }
}
