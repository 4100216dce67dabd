package dev.wirelab.control.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CapturedFrame;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's layer tree on hostile frames (Jazzer; fuzz it with {@code JAZZER_FUZZ=1}): the
 * decoder never throws and no layer decoder fails (a layer it cannot decode says why in its
 * {@code error}, the decoder's WireFormatException, never "decoder failed"); every layer lies
 * inside the layer that carries it and every field inside the frame, with a bitmask no wider than
 * its bytes, so selecting a field highlights real bytes; and the summary-only decoding ingest
 * stores gives the same columns as the whole tree. Seeds: every frame of the journey and
 * three-segments examples, captured now.
 */
class FrameDecoderFuzzTest {

    private static final FrameDecoder DECODER = FrameDecoder.standard();

    static Stream<byte[]> capturedFrames() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Lab lab = Lab.build(Topologies.parseYaml(Files.readString(Path.of("..", "examples", "journey.yaml"))),
                Lab.Options.virtual())) {
            lab.advance(java.time.Duration.ofSeconds(20));
            lab.run("pc1", "browse http://www.example.com/");
            lab.trace().frames().stream().map(CapturedFrame::bytes).forEach(out::add);
        }
        try (Lab lab = Lab.build(Topologies.parseYaml(Files.readString(Path.of("..", "examples", "three-segments.yaml"))),
                Lab.Options.virtual())) {
            lab.run("pc1", "traceroute -n 10.0.2.10");
            lab.run("pc2", "ping -c 2 -s 1400 10.0.1.10");
            lab.trace().frames().stream().map(CapturedFrame::bytes).forEach(out::add);
        }
        return out.stream();
    }

    @MethodSource("capturedFrames")
    @FuzzTest(maxDuration = "30s") // Jazzer wants it last
    void tree(byte[] frame) {
        FrameDecoder.Decoded d = DECODER.decode(frame);
        if (frame.length == 0) {
            assertThat(d.root()).as("no bytes, no layers").isNull();
            return;
        }
        inside(d.root(), 0, frame.length, frame.length);
        assertThat(DECODER.summarize(frame)).isEqualTo(d.columns());
    }

    private static void inside(Layer l, int from, int to, int frameLength) {
        assertThat(l).isNotNull();
        // FrameDecoder shows a decoder's bug as an error layer rather than lose the frame: here it is a finding.
        if (l.error() != null) {
            assertThat(l.error()).as("%s decoder", l.protocol()).doesNotStartWith("decoder failed");
        }
        assertThat(l.offset()).as("%s starts inside its carrier", l.protocol()).isBetween(from, to);
        assertThat(l.offset() + l.length()).as("%s ends inside its carrier", l.protocol()).isBetween(l.offset(), to);
        for (Field f : l.fields()) {
            assertThat(f.offset()).as("field %s", f.name()).isBetween(0, frameLength);
            assertThat(f.offset() + f.length()).as("field %s", f.name()).isBetween(f.offset(), frameLength);
            if (f.length() > 0 && f.length() < 8) {
                assertThat(f.bitmask() >>> (8 * f.length())).as("bitmask of %s fits its %d bytes", f.name(), f.length())
                        .isZero();
            }
        }
        for (Layer inner : l.layers()) {
            // An ICMP error's quoted datagram lies inside the ICMP message; every layer inside the frame.
            inside(inner, l.offset(), l.offset() + l.length(), frameLength);
        }
    }
}
