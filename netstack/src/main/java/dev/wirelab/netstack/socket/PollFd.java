package dev.wirelab.netstack.socket;

/** {@code struct pollfd}: a descriptor, the events asked for, and (filled by poll) those that happened. */
public final class PollFd {

    public int fd;
    public int events;
    public int revents;

    public PollFd(int fd, int events) {
        this.fd = fd;
        this.events = events;
    }

    public boolean has(int bit) {
        return (revents & bit) != 0;
    }

    @Override
    public String toString() {
        return "{fd=" + fd + ", events=" + Sys.epollNames(events) + ", revents=" + Sys.epollNames(revents) + "}";
    }
}
