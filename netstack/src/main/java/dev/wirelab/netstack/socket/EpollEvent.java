package dev.wirelab.netstack.socket;

/** {@code struct epoll_event}: the ready events and the caller's data (usually the descriptor). */
public record EpollEvent(int events, long data) {

    public boolean has(int bit) {
        return (events & bit) != 0;
    }

    @Override
    public String toString() {
        return Sys.epollNames(events) + " data=" + data;
    }
}
