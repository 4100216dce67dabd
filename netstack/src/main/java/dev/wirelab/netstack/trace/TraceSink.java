package dev.wirelab.netstack.trace;

/**
 * Where frames and events go: an in-memory recorder in tests and the CLI, the PostgreSQL ingest
 * pipeline in the control API. Implementations must be thread-safe and must not block for long.
 */
public interface TraceSink {

    /** A frame the bus received on a segment; {@code bytes} must not be modified afterwards. */
    void frame(long timeNanos, String segment, String ingressPort, byte[] bytes);

    void event(TraceEvent event);

    default void event(long timeNanos, String node, String layer, String kind, Object... keyValues) {
        // The varargs array is fresh at every call site, so it becomes the event's detail as is.
        event(new TraceEvent(timeNanos, node, layer, kind, Details.of(keyValues)));
    }

    TraceSink NONE = new TraceSink() {
        @Override
        public void frame(long timeNanos, String segment, String ingressPort, byte[] bytes) {
        }

        @Override
        public void event(TraceEvent event) {
        }
    };
}
