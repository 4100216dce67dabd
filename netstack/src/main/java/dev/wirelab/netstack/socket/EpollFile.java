package dev.wirelab.netstack.socket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLET;
import static dev.wirelab.netstack.socket.Sys.EPOLLEXCLUSIVE;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLONESHOT;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDNORM;

/**
 * An epoll instance (epoll(7)), as fs/eventpoll.c works: an interest list of (descriptor, file)
 * items, each hooked into its file's wait queue; a wake-up of the file puts the item on the ready
 * list; epoll_wait takes items off the ready list, reports the file's current readiness masked
 * by the interest, and puts level-triggered items back at the tail (so they are reported again
 * while the condition holds) but not edge-triggered ones (reported again only after the next
 * wake-up, i.e. new data or new space). EPOLLONESHOT disables an item after one report until
 * EPOLL_CTL_MOD re-arms it.
 */
final class EpollFile extends KFile {

    /** An item of the interest list. */
    static final class Item {
        final EpollFile epoll;
        final int fd;
        final KFile file;
        int events;
        long data;
        boolean disabled;
        boolean ready;
        Waiter waiter;

        Item(EpollFile epoll, int fd, KFile file) {
            this.epoll = epoll;
            this.fd = fd;
            this.file = file;
        }
    }

    private static final int FLAGS = EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE;

    private final Map<Integer, Item> items = new LinkedHashMap<>();
    private final ArrayDeque<Item> readyList = new ArrayDeque<>();

    EpollFile(Kernel kernel) {
        super(kernel);
        flags = Sys.O_RDWR;
    }

    @Override
    String type() {
        return "epoll";
    }

    long ctl(int op, int fd, KFile file, int events, long data) {
        if (file == this) {
            return Errno.EINVAL.negative();
        }
        if (file instanceof RegularFile || file instanceof DirectoryFile) {
            return Errno.EPERM.negative(); // epoll_ctl(2): regular files and directories do not support epoll
        }
        Item it = items.get(fd);
        if (it != null && it.file != file) {
            remove(it); // the descriptor was closed and reused; the old item is gone in Linux too
            it = null;
        }
        switch (op) {
            case Sys.EPOLL_CTL_ADD -> {
                if (it != null) {
                    return Errno.EEXIST.negative();
                }
                it = new Item(this, fd, file);
                it.events = events;
                it.data = data;
                items.put(fd, it);
                hook(it);
                if (file.epollItems == null) {
                    file.epollItems = new ArrayList<>(1);
                }
                file.epollItems.add(it);
                // ep_insert: if the file is already ready, the item goes on the ready list now.
                checkReady(it);
                return 0;
            }
            case Sys.EPOLL_CTL_MOD -> {
                if (it == null) {
                    return Errno.ENOENT.negative();
                }
                if ((events & EPOLLEXCLUSIVE) != 0 || (it.events & EPOLLEXCLUSIVE) != 0) {
                    return Errno.EINVAL.negative(); // epoll_ctl(2): EPOLLEXCLUSIVE cannot be modified
                }
                it.events = events;
                it.data = data;
                it.disabled = false;
                it.file.removeWaiter(it.waiter);
                hook(it);
                checkReady(it);
                return 0;
            }
            case Sys.EPOLL_CTL_DEL -> {
                if (it == null) {
                    return Errno.ENOENT.negative();
                }
                remove(it);
                return 0;
            }
            default -> {
                return Errno.EINVAL.negative();
            }
        }
    }

    private void hook(Item it) {
        int mask = (it.events & ~FLAGS) | EPOLLERR | EPOLLHUP;
        it.waiter = it.file.addWaiter(mask, (it.events & EPOLLEXCLUSIVE) != 0, true, () -> fileWoke(it));
    }

    private void checkReady(Item it) {
        if ((it.file.poll() & ((it.events & ~FLAGS) | EPOLLERR | EPOLLHUP)) != 0) {
            fileWoke(it);
        }
    }

    /** ep_poll_callback: the item's file announced a change it is interested in. */
    private void fileWoke(Item it) {
        if (it.disabled || !items.containsKey(it.fd) || items.get(it.fd) != it) {
            return;
        }
        if (!it.ready) {
            it.ready = true;
            readyList.add(it);
        }
        wake(EPOLLIN | EPOLLRDNORM);
    }

    void remove(Item it) {
        items.remove(it.fd, it);
        it.file.removeWaiter(it.waiter);
        if (it.file.epollItems != null) {
            it.file.epollItems.remove(it);
        }
        if (it.ready) {
            readyList.remove(it);
            it.ready = false;
        }
    }

    /** epoll_wait: fills {@code out} with up to {@code max} events, in ready-list order. */
    long waitEvents(Call c, EpollEvent[] out, int max, int timeoutMs) {
        int n = 0;
        List<Item> again = new ArrayList<>();
        while (n < max && !readyList.isEmpty()) {
            Item it = readyList.poll();
            it.ready = false;
            if (it.disabled) {
                continue;
            }
            int mask = it.file.poll() & ((it.events & ~FLAGS) | EPOLLERR | EPOLLHUP);
            if (mask == 0) {
                continue; // no longer ready: dropped from the ready list until the next wake-up
            }
            out[n++] = new EpollEvent(mask, it.data);
            if ((it.events & EPOLLONESHOT) != 0) {
                it.disabled = true;
            } else if ((it.events & EPOLLET) == 0) {
                again.add(it); // level-triggered: stays ready while the condition holds
            }
        }
        for (Item it : again) {
            if (!it.ready) {
                it.ready = true;
                readyList.add(it);
            }
        }
        if (n > 0) {
            return n;
        }
        if (timeoutMs == 0 || c.timedOut) {
            return 0;
        }
        // ep_poll waits exclusively: one waiting thread per wake-up.
        c.waitFor(this, EPOLLIN, true);
        if (timeoutMs > 0) {
            c.timeout(timeoutMs * 1_000_000L);
        }
        return Call.BLOCK;
    }

    int size() {
        return items.size();
    }

    @Override
    int poll() {
        for (Item it : readyList) {
            if (!it.disabled && (it.file.poll() & ((it.events & ~FLAGS) | EPOLLERR | EPOLLHUP)) != 0) {
                return EPOLLIN | EPOLLRDNORM;
            }
        }
        return 0;
    }

    @Override
    void release() {
        for (Item it : List.copyOf(items.values())) {
            remove(it);
        }
    }
}
