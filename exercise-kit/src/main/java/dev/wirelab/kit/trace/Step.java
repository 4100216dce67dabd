package dev.wirelab.kit.trace;

/** One step of a run's timeline: a frame on a segment, or a stack event inside a node. */
public sealed interface Step permits TracedFrame, TracedEvent {

    /** Lab time of the step (ns). */
    long timeNanos();

    /** The step as one line of a timeline, for people. */
    String line();
}
