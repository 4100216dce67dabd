package dev.wirelab.netstack.trace;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CaptureFileTest {

    private static final String TWO_HOSTS = """
            name: capture
            segments: [lan]
            nodes:
              a: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 } } }
              b: { kind: host, interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } } }
            """;

    @Test
    void aLiveRealTimeLabCapturesEveryFrameTheBusSawAndTsharkAcceptsThem(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        Path file = dir.resolve("live.pcapng");
        AtomicReference<CaptureFile> live = new AtomicReference<>();
        TraceSink tap = new TraceSink() {
            @Override
            public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
                live.get().frame(timeNanos, segment, ingressPort, bytes);
            }

            @Override
            public void event(TraceEvent event) {
            }
        };
        CaptureFile capture;
        ExecResult transfer;
        List<CapturedFrame> seen;
        try (Lab lab = Lab.build(Topologies.parseYaml(TWO_HOSTS), Lab.Options.real().withSink(tap))) {
            capture = new CaptureFile(file, lab.epochUnixNanos());
            live.set(capture);
            lab.start();
            lab.exec("b", "iperf -s -1", line -> { });
            Thread.sleep(100);
            transfer = lab.run("a", "iperf -c 10.0.0.2 -n 2M", Duration.ofSeconds(60));
            Thread.sleep(100);
            seen = lab.trace().frames();
        }
        capture.close();
        assertThat(transfer.exitCode()).as(transfer.text()).isZero();
        assertThat(capture.framesDropped()).isZero();
        assertThat(capture.writeErrors()).isZero();
        assertThat(capture.framesWritten()).isEqualTo(seen.size()).isGreaterThan(1000);
        Tshark.Verdict v = Tshark.judge(file);
        assertThat(v.problems()).isEmpty();
        assertThat(v.frames()).isEqualTo(seen.size());
        // Same frames in the same order as the in-memory trace: compare lengths and timestamps.
        List<Map<String, String>> rows = Tshark.fields(file, false, null, "frame.len", "frame.comment");
        for (int i = 0; i < seen.size(); i += 97) {
            assertThat(rows.get(i).get("frame.len")).isEqualTo(String.valueOf(seen.get(i).bytes().length));
            assertThat(rows.get(i).get("frame.comment")).isEqualTo("ingress " + seen.get(i).ingressPort());
        }
    }

    @Test
    void aFullBacklogDropsAndCountsInsteadOfBlockingOrGrowing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.pcapng");
        CaptureFile capture = new CaptureFile(file, 0, 4096);
        byte[] frame = new byte[1514];
        frame[12] = 0x08; // EtherType 0x0800
        int offered = 0;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    capture.frame(i, "lan", "a:eth0", frame);
                }
            });
            threads.add(th);
            th.start();
            offered += 20_000;
        }
        for (Thread th : threads) {
            th.join();
        }
        capture.close();
        assertThat(capture.framesWritten() + capture.framesDropped()).isEqualTo(offered);
        assertThat(capture.framesWritten()).isPositive();
        assertThat(Files.size(file)).isGreaterThan(capture.framesWritten() * 1514);
        capture.frame(0, "lan", "a:eth0", frame);
        assertThat(capture.framesDropped()).isEqualTo(offered - capture.framesWritten() + 1);
    }

    /**
     * Frames of odd sizes, so the file ends inside a block: with direct I/O the last block is
     * written padded and the file cut to its real length. tshark must read back every frame and
     * nothing after the last one.
     */
    @Test
    void theLastPartialBlockIsCutToTheRealLength(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available() || "true".equals(System.getenv("CI")), "tshark is not installed");
        Path file = dir.resolve("odd.pcapng");
        CaptureFile capture = new CaptureFile(file, 0);
        boolean direct = capture.directIo();
        int frames = 0;
        for (int size = 60; size < 9000; size += 333) {
            byte[] frame = new byte[size];
            frame[12] = 0x08;
            frame[13] = 0x06; // ARP: tshark decodes it without looking further than it must
            capture.frame(frames, "lan", "a:eth0", frame);
            frames++;
        }
        capture.close();
        assertThat(capture.framesWritten()).isEqualTo(frames);
        assertThat(capture.writeErrors()).isZero();
        List<Map<String, String>> rows = Tshark.fields(file, false, null, "frame.len");
        assertThat(rows).hasSize(frames);
        assertThat(rows.get(frames - 1).get("frame.len")).isEqualTo(String.valueOf(60 + 333 * (frames - 1)));
        // pcapng blocks are 4-byte aligned; a padded direct-I/O tail would leave a 4096-multiple.
        assertThat(Files.size(file) % 4).isZero();
        System.out.println("capture written with " + (direct ? "O_DIRECT" : "the page cache") + ": " + Files.size(file)
                + " bytes");
    }
}
