package dev.wirelab.kit.trace;

/** Entry point: {@code import static dev.wirelab.kit.trace.WirelabAssertions.assertThat;}. */
public final class WirelabAssertions {

    private WirelabAssertions() {
    }

    public static TraceAssert assertThat(Trace trace) {
        return new TraceAssert(trace);
    }
}
