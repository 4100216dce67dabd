package dev.wirelab.netstack.socket;

/**
 * The constants of the system call API, with their Linux values (x86-64 headers), so programs
 * read like C: {@code p.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)}.
 */
public final class Sys {

    private Sys() {
    }

    // socket(2)
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_RAW = 255;

    // setsockopt(2) levels and options
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    /**
     * SO_LINGER (13). Linux takes a struct linger; here the value is l_linger in seconds, or -1 for
     * l_onoff = 0 (the default): 0 makes close() reset the connection (no FIN, no TIME-WAIT), N > 0
     * makes a blocking close() wait up to N seconds for the peer to acknowledge the FIN.
     */
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    /** Receive timeout; here an int of milliseconds instead of a struct timeval (0 = none). */
    public static final int SO_RCVTIMEO = 20;
    /** Send timeout; here an int of milliseconds instead of a struct timeval (0 = none). */
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_ACCEPTCONN = 30;
    public static final int TCP_NODELAY = 1;
    public static final int IP_TTL = 2;
    public static final int IP_HDRINCL = 3;

    // open(2), fcntl(2)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0x40;
    public static final int O_TRUNC = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;
    /** open(2) of a directory, for getdents64 (x86-64: 0200000). */
    public static final int O_DIRECTORY = 0x10000;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    // shutdown(2)
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // send(2), recv(2) flags
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_NOSIGNAL = 0x4000;

    // epoll(7) event bits; poll(2)'s POLL* bits have the same values
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDNORM = 0x040;
    public static final int EPOLLWRNORM = 0x100;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;
    public static final int POLLRDNORM = 0x040;
    public static final int POLLWRNORM = 0x100;
    public static final int POLLRDHUP = 0x2000;

    /** Linux's default RLIMIT_NOFILE soft limit. */
    public static final int OPEN_MAX = 1024;
    /** net.core.somaxconn (Linux 5.4 and later). */
    public static final int SOMAXCONN = 4096;
    /** net.core.rmem_max / wmem_max: the ceiling of SO_RCVBUF / SO_SNDBUF before doubling. */
    public static final int RMEM_MAX = 212_992;
    public static final int WMEM_MAX = 212_992;
    /** net.core.rmem_default: a UDP socket's receive buffer. */
    public static final int RMEM_DEFAULT = 212_992;
    /** Writes of up to PIPE_BUF bytes to a pipe are atomic (POSIX). */
    public static final int PIPE_BUF = 4096;
    /** A pipe's capacity (Linux: 16 pages). */
    public static final int PIPE_CAPACITY = 65_536;

    /** A socket option level as strace names it ("SOL_SOCKET"), or its number. */
    public static String levelName(int level) {
        return switch (level) {
            case SOL_SOCKET -> "SOL_SOCKET";
            case IPPROTO_TCP -> "IPPROTO_TCP";
            case IPPROTO_IP -> "IPPROTO_IP";
            default -> String.valueOf(level);
        };
    }

    /** A socket option as strace names it ("SO_REUSEPORT", "TCP_NODELAY"), or its number. */
    public static String optionName(int level, int option) {
        if (level == SOL_SOCKET) {
            return switch (option) {
                case SO_REUSEADDR -> "SO_REUSEADDR";
                case SO_TYPE -> "SO_TYPE";
                case SO_ERROR -> "SO_ERROR";
                case SO_BROADCAST -> "SO_BROADCAST";
                case SO_SNDBUF -> "SO_SNDBUF";
                case SO_RCVBUF -> "SO_RCVBUF";
                case SO_KEEPALIVE -> "SO_KEEPALIVE";
                case SO_LINGER -> "SO_LINGER";
                case SO_REUSEPORT -> "SO_REUSEPORT";
                case SO_RCVTIMEO -> "SO_RCVTIMEO";
                case SO_SNDTIMEO -> "SO_SNDTIMEO";
                case SO_ACCEPTCONN -> "SO_ACCEPTCONN";
                default -> String.valueOf(option);
            };
        }
        if (level == IPPROTO_TCP && option == TCP_NODELAY) {
            return "TCP_NODELAY";
        }
        if (level == IPPROTO_IP) {
            return option == IP_TTL ? "IP_TTL" : option == IP_HDRINCL ? "IP_HDRINCL" : String.valueOf(option);
        }
        return String.valueOf(option);
    }

    /** Names of set epoll/poll bits, "EPOLLIN|EPOLLOUT", for traces and messages. */
    public static String epollNames(int events) {
        StringBuilder b = new StringBuilder();
        String[] names = {"EPOLLIN", "EPOLLPRI", "EPOLLOUT", "EPOLLERR", "EPOLLHUP", "POLLNVAL", "EPOLLRDNORM", null,
            "EPOLLWRNORM"};
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && (events & (1 << i)) != 0) {
                b.append(b.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        if ((events & EPOLLRDHUP) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("EPOLLRDHUP");
        }
        if ((events & EPOLLEXCLUSIVE) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("EPOLLEXCLUSIVE");
        }
        if ((events & EPOLLONESHOT) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("EPOLLONESHOT");
        }
        if ((events & EPOLLET) != 0) {
            b.append(b.isEmpty() ? "" : "|").append("EPOLLET");
        }
        return b.isEmpty() ? "0" : b.toString();
    }
}
