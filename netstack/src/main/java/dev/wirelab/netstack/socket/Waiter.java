package dev.wirelab.netstack.socket;

/**
 * An entry of a file's wait queue: a blocked system call (one-shot) or an epoll item (persistent).
 * {@code exclusive} waiters are woken one per event, as Linux wakes one accept() caller
 * (WQ_FLAG_EXCLUSIVE) or one EPOLLEXCLUSIVE epoll instance, instead of the whole herd.
 */
final class Waiter {

    final KFile file;
    final int mask;
    final boolean exclusive;
    final boolean persistent;
    final Runnable action;

    Waiter(KFile file, int mask, boolean exclusive, boolean persistent, Runnable action) {
        this.file = file;
        this.mask = mask;
        this.exclusive = exclusive;
        this.persistent = persistent;
        this.action = action;
    }
}
