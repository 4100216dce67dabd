package dev.wirelab.netstack.bus;

import static dev.wirelab.netstack.bus.TestFrames.A;
import static dev.wirelab.netstack.bus.TestFrames.B;
import static dev.wirelab.netstack.bus.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.time.VirtualTimeScheduler;
import dev.wirelab.netstack.trace.PcapngWriter;
import dev.wirelab.netstack.trace.TraceRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Virtual time + seed -> the same capture, byte for byte. */
class BusDeterminismTest {

    /** a sends 500 frames to b, which echoes each one it gets; all impairments on. */
    private static byte[] capture(long seed, String name) throws Exception {
        VirtualTimeScheduler loop = new VirtualTimeScheduler();
        TraceRecorder trace = new TraceRecorder();
        Bus bus = new Bus(loop, trace, seed);
        bus.addSegment("lan", 10);
        bus.addSegment("wan", 20);
        Link a = bus.connect("lan", "a:eth0");
        Link b = bus.connect("lan", "b:eth0");
        Link w = bus.connect("wan", "w:eth0");
        b.setReceiver(f -> loop.execute(() -> {
            byte[] echo = f.clone();
            System.arraycopy(f, 6, echo, 0, 6);
            B.write(echo, 6);
            b.send(echo);
        }));
        bus.setImpairments("lan", Impairments.fromMap(Map.of("loss", 0.05, "delay", "1ms", "jitter", "400us",
                "duplicate", 0.02, "reorder", 0.03, "corrupt", 0.02, "rate", "50mbit")));
        for (int i = 0; i < 500; i++) {
            int id = i;
            loop.schedule(EventLoop.millis(1) / 4 * i, () -> {
                a.send(frame(B, A, id, 64 + id % 200));
                if (id % 50 == 0) {
                    w.send(frame(B, A, id));
                }
            });
        }
        loop.runUntilIdle(Long.MAX_VALUE);
        Path file = Path.of("target", "captures", name);
        PcapngWriter.write(trace, loop.epochUnixNanos(), file);
        return Files.readAllBytes(file);
    }

    @Test
    void sameSeedSameCaptureBytes() throws Exception {
        byte[] first = capture(11, "bus-determinism-1.pcapng");
        byte[] second = capture(11, "bus-determinism-2.pcapng");
        byte[] other = capture(12, "bus-determinism-other-seed.pcapng");
        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first.length).isGreaterThan(500 * 64);
    }
}
