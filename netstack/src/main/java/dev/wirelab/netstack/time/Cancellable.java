package dev.wirelab.netstack.time;

/** A scheduled task that can still be called off. Cancelling a task that already ran does nothing. */
@FunctionalInterface
public interface Cancellable {
    void cancel();

    Cancellable NONE = () -> { };
}
