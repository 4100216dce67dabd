package dev.wirelab.netstack.lab;

/** How a lab's clock runs. */
public enum TimeMode {
    /**
     * Discrete-event time: the whole lab runs on one thread, time jumps from event to event, and
     * the same topology, commands and seed give the same trace byte for byte.
     */
    VIRTUAL,
    /** Wall-clock time: one thread per node and one for the bus; needed to talk to real hosts. */
    REAL
}
