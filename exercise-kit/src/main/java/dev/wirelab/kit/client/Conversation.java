package dev.wirelab.kit.client;

/** A conversation (a 5-tuple, both directions as one) of a run, with its frame count and time span. */
public record Conversation(String key, String protocol, long frames, long bytes, long firstNanos, long lastNanos,
                           long firstSeq, long lastSeq) {
}
