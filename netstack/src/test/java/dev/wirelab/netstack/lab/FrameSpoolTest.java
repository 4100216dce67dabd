package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.FrameSpool;
import dev.wirelab.netstack.trace.PcapngWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Captures written from the on-disk spool are the bytes of those written from memory. */
class FrameSpoolTest {

    @Test
    void everyViewWrittenFromTheSpoolIsByteForByteTheOneWrittenFromMemory(@TempDir Path dir) throws Exception {
        List<CapturedFrame> frames;
        long epoch;
        try (Lab lab = Lab.build(Topologies.parseYaml(Examples.path("three-segments.yaml")), Lab.Options.virtual())) {
            lab.start();
            ExecResult r = lab.run("pc1", "ping -c 3 10.0.2.10");
            assertThat(r.exitCode()).as(r.text()).isZero();
            frames = lab.trace().frames();
            epoch = lab.epochUnixNanos();
        }
        assertThat(frames).hasSizeGreaterThan(10);
        try (FrameSpool spool = FrameSpool.create(dir)) {
            for (CapturedFrame f : frames) {
                spool.add(f.timeNanos(), f.segment(), f.ingressPort(), f.bytes());
            }
            assertThat(spool.frames()).isEqualTo(frames.size());
            for (CaptureView view : CaptureView.values()) {
                Path fromMemory = dir.resolve(view.id() + "-memory.pcapng");
                Path fromSpool = dir.resolve(view.id() + "-spool.pcapng");
                long a = PcapngWriter.write(frames, epoch, fromMemory, view);
                long b = PcapngWriter.write(spool, epoch, fromSpool, view);
                assertThat(b).as(view.id()).isEqualTo(a);
                assertThat(Files.readAllBytes(fromSpool)).as(view.id()).isEqualTo(Files.readAllBytes(fromMemory));
            }
            Path lan1 = dir.resolve("lan1.pcapng");
            Map<String, Long> counts = PcapngWriter.writeSegments(spool, epoch, Map.of("lan1", lan1));
            List<CapturedFrame> mine = frames.stream().filter(f -> f.segment().equals("lan1")).toList();
            Path expected = dir.resolve("lan1-memory.pcapng");
            PcapngWriter.write(mine, epoch, expected);
            assertThat(counts).containsEntry("lan1", (long) mine.size());
            assertThat(Files.readAllBytes(lan1)).isEqualTo(Files.readAllBytes(expected));
        }
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".spool"));
        }
    }
}
