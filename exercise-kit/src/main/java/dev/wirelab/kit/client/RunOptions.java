package dev.wirelab.kit.client;

/**
 * How to start a run.
 *
 * @param runtime  where the nodes live
 * @param realTime real time (the lab's clock is the wall clock) or virtual time (lab time passes only while
 *                 a program runs or when asked, so a run is fast and the same seed gives the same frames)
 * @param seed     the lab's random seed, or null for the topology's
 */
public record RunOptions(Runtime runtime, boolean realTime, Long seed) {

    /** Embedded, virtual time: fast and repeatable. */
    public static RunOptions virtualTime(long seed) {
        return new RunOptions(Runtime.EMBEDDED, false, seed);
    }

    /** The usual way to run on a runtime: virtual time embedded, real time on docker (its only mode). */
    public static RunOptions on(Runtime runtime, long seed) {
        return new RunOptions(runtime, runtime == Runtime.DOCKER, seed);
    }

    public String timeMode() {
        return realTime ? "real" : "virtual";
    }
}
