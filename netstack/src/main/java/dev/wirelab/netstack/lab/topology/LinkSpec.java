package dev.wirelab.netstack.lab.topology;

/**
 * Impairments the bus applies to every frame on one segment (all from the lab's seeded RNG); the
 * bus's {@code Impairments} documents the exact semantics and order.
 *
 * @param delayNanos        added one-way delay
 * @param jitterNanos       random variation of the delay, uniform in +-jitter (never below zero;
 *                          jitter alone does not reorder)
 * @param loss              probability that a frame is dropped, 0..1
 * @param duplicate         probability that a frame is delivered twice, 0..1
 * @param reorder           probability that a frame is held back so frames sent after it overtake it, 0..1
 * @param corrupt           probability that one bit after the Ethernet header is flipped, 0..1
 * @param rateBitsPerSecond serialization rate limit, 0 for none
 */
public record LinkSpec(long delayNanos, long jitterNanos, double loss, double duplicate, double reorder,
                       double corrupt, long rateBitsPerSecond) {

    /** No impairment: what a segment without a {@code links} entry gets. */
    public static final LinkSpec NONE = new LinkSpec(0, 0, 0, 0, 0, 0, 0);

    public boolean hasRateLimit() {
        return rateBitsPerSecond > 0;
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
