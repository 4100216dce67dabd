package dev.wirelab.netstack.socket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.EPOLLERR;
import static dev.wirelab.netstack.socket.Sys.EPOLLHUP;
import static dev.wirelab.netstack.socket.Sys.EPOLLIN;
import static dev.wirelab.netstack.socket.Sys.EPOLLOUT;
import static dev.wirelab.netstack.socket.Sys.EPOLLPRI;
import static dev.wirelab.netstack.socket.Sys.EPOLLRDNORM;
import static dev.wirelab.netstack.socket.Sys.EPOLLWRNORM;
import static dev.wirelab.netstack.socket.Sys.O_NONBLOCK;
import static dev.wirelab.netstack.socket.Sys.SOCK_CLOEXEC;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;

/**
 * A running program on a node: a pid, threads, and a descriptor table (0, 1, 2 are its terminal).
 * Its public methods are the system calls. They are called from the process's own threads only;
 * each one crosses into the node's loop, is traced there (layer "syscall", kind = the call's
 * name: pid, program, fd, arguments, result or errno, and how long it blocked), and returns its
 * result or throws {@link SyscallException} with Linux's errno. A call that would block parks the
 * calling thread, never the loop; O_NONBLOCK (or MSG_DONTWAIT) turns waiting into EAGAIN.
 *
 * <p>A program thread must wait only in system calls (sleep, poll, a pipe...), not on Java locks:
 * in virtual time the lab moves only while every program thread waits in a system call.
 */
public final class Process {

    private static final ThreadLocal<PThread> CURRENT = new ThreadLocal<>();

    /** A thread body. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** What recvfrom returns: the byte count and the sender. */
    public record Received(int length, SockAddr from) {
    }

    final Kernel kernel;
    private final int pid;
    private final List<String> argv;
    private final Kernel.Hooks hooks;

    // Loop-side state.
    private final TreeMap<Integer, KFile> fds = new TreeMap<>();
    private final Map<Integer, PThread> threads = new LinkedHashMap<>();
    private final TtyFile tty;
    private final KFile threadExits;
    private volatile boolean dead;
    private int exitStatus = -1;

    private final Call.Completion resume;

    Process(Kernel kernel, int pid, List<String> argv, Kernel.Hooks hooks) {
        this.kernel = kernel;
        this.pid = pid;
        this.argv = List.copyOf(argv);
        this.hooks = hooks;
        TtyFile in = new TtyFile(kernel, this, true);
        this.tty = new TtyFile(kernel, this, false);
        fds.put(0, in);
        fds.put(1, tty);
        fds.put(2, tty);
        this.threadExits = new KFile(kernel) {
            @Override
            String type() {
                return "futex";
            }

            @Override
            int poll() {
                return 0;
            }
        };
        this.resume = c -> {
            c.thread.pending = null;
            kernel.gate.resume(c.thread);
        };
    }

    public int pid() {
        return pid;
    }

    /** argv[0]. */
    public String name() {
        return argv.isEmpty() ? "?" : argv.get(0);
    }

    public List<String> argv() {
        return argv;
    }

    /** The arguments after the program name. */
    public List<String> args() {
        return argv.subList(Math.min(1, argv.size()), argv.size());
    }

    /** The node's routing table, as a netlink dump would give it (an immutable snapshot). */
    public List<dev.wirelab.netstack.ip.Route> routes() {
        return kernel.node.routes();
    }

    /** The node's name (gethostname). */
    public String hostname() {
        return kernel.node.name();
    }

    /** clock_gettime(CLOCK_MONOTONIC): the lab's time in nanoseconds. */
    public long now() {
        return kernel.loop.nanos();
    }

    /** clock_gettime(CLOCK_REALTIME): the lab's wall clock, nanoseconds since 1970 (fixed epoch in virtual time). */
    public long realtime() {
        return kernel.loop.epochUnixNanos() + kernel.loop.nanos();
    }

    /**
     * Records a trace event of this process's node (layer, kind, key/value detail), as a program's
     * own log point: posted to the loop in call order, never waiting, like {@link #println}.
     */
    public void event(String layer, String kind, Object... keyValues) {
        self();
        Object[] kv = new Object[keyValues.length + 4];
        kv[0] = "pid";
        kv[1] = pid;
        kv[2] = "program";
        kv[3] = name();
        System.arraycopy(keyValues, 0, kv, 4, keyValues.length);
        kernel.loop.execute(() -> kernel.node.event(layer, kind, kv));
    }

    /** The calling thread's id (gettid); the main thread's is the pid. */
    public int tid() {
        return self().tid;
    }

    /** True once the process has exited (its threads unwind at their next system call). */
    public boolean exited() {
        return dead;
    }

    // ================================================================== threads

    void startMain(Kernel.Main main) {
        newThread(name(), main, true);
    }

    private PThread newThread(String threadName, Kernel.Main body, boolean main) {
        int tid = main ? pid : kernel.allocatePid();
        PThread t = new PThread(this, tid, threadName);
        t.thread = Thread.ofVirtual().name(kernel.node.name() + ":" + name() + "[" + pid + "]" + (main ? "" : "/" + tid))
                .unstarted(() -> runThread(t, body, main));
        threads.put(tid, t);
        kernel.gate.start(t);
        return t;
    }

    private void runThread(PThread t, Kernel.Main body, boolean main) {
        kernel.gate.awaitStart(t);
        CURRENT.set(t);
        int status = 0;
        String crash = null;
        try {
            if (dead) {
                throw new ProcessExit();
            }
            status = body.main(this);
        } catch (ProcessExit e) {
            status = -1;
        } catch (SyscallException e) {
            crash = name() + ": " + e.getMessage();
            status = 1;
        } catch (Throwable e) {
            crash = name() + ": " + e;
            status = 1;
        } finally {
            CURRENT.remove();
        }
        int s = status;
        String message = crash;
        kernel.loop.execute(() -> threadExited(t, s, message, main));
        kernel.gate.exit(t);
    }

    private void threadExited(PThread t, int status, String crash, boolean main) {
        threads.remove(t.tid);
        threadExits.wake(EPOLLIN);
        if (dead) {
            return;
        }
        if (crash != null) {
            output(crash);
        }
        if (main) {
            terminate(status);
        } else if (crash != null) {
            terminate(1); // an uncaught failure in any thread ends the process, like a fatal signal
        }
    }

    /** Ends the process (on the loop): every descriptor is closed, every thread unwinds. Idempotent. */
    void terminate(int status) {
        if (dead) {
            return;
        }
        tty.flush();
        dead = true;
        exitStatus = status;
        List<Integer> open = new ArrayList<>(fds.keySet());
        for (int fd : open) {
            closeFd(fd);
        }
        for (PThread t : List.copyOf(threads.values())) {
            if (t.pending != null) {
                kernel.kill(t.pending);
            }
        }
        kernel.reaped(this);
        kernel.node.event("process", "exit", "pid", pid, "program", name(), "status", status,
                "closed_fds", open.size() - 3 < 0 ? 0 : open.stream().filter(fd -> fd > 2).count());
        hooks.exited(status);
    }

    /** Kills the process from outside (on the loop), as a signal would; {@code status} 130 after Ctrl-C. */
    public void kill(int status) {
        kernel.requireLoop();
        terminate(status);
    }

    boolean dead() {
        return dead;
    }

    /** Exit status once exited, else -1. */
    public int exitStatus() {
        return exitStatus;
    }

    void output(String line) {
        hooks.output(line);
    }

    // ================================================================== the call machinery

    private PThread self() {
        PThread t = CURRENT.get();
        if (t == null || t.process != this) {
            throw new IllegalStateException("system calls of " + name() + "[" + pid + "] are made from its own threads");
        }
        return t;
    }

    private void dispatch(Call c) {
        if (!dead && hooks.interrupted()) {
            terminate(130);
        }
        if (c.completion == resume) {
            c.thread.pending = c;
        }
        kernel.attempt(c);
    }

    private Call call(String name, int fd, Call.Op op, Object... args) throws SyscallException {
        PThread t = self();
        Call c = new Call(this, t, name, fd, args, op, resume, false);
        kernel.loop.execute(() -> dispatch(c));
        kernel.gate.park(t);
        if (c.killed) {
            throw new ProcessExit();
        }
        if (c.result < 0) {
            throw new SyscallException(Errno.of((int) -c.result), name);
        }
        return c;
    }

    private long sys(String name, int fd, Call.Op op, Object... args) throws SyscallException {
        return call(name, fd, op, args).result;
    }

    // Loop-side helpers.

    KFile lookup(int fd) {
        KFile f = fds.get(fd);
        if (f == null) {
            throw new KernelError(Errno.EBADF);
        }
        return f;
    }

    static SocketFile socketOf(Call c) {
        if (c.file() instanceof SocketFile s) {
            return s;
        }
        throw new KernelError(Errno.ENOTSOCK);
    }

    boolean fdAvailable(int n) {
        return fds.size() + n <= Sys.OPEN_MAX;
    }

    /** Puts {@code f} at the lowest free descriptor (POSIX); EMFILE when the table is full. */
    int install(KFile f) {
        if (!fdAvailable(1)) {
            f.released = true;
            f.release();
            throw new KernelError(Errno.EMFILE);
        }
        int fd = 0;
        while (fds.containsKey(fd)) {
            fd++;
        }
        fds.put(fd, f);
        return fd;
    }

    long closeFd(int fd) {
        KFile f = fds.remove(fd);
        if (f == null) {
            return Errno.EBADF.negative();
        }
        if (fds.containsValue(f)) {
            return 0; // another descriptor (0..2 share the terminal) still refers to it
        }
        f.released = true;
        if (f.epollItems != null) {
            for (EpollFile.Item it : List.copyOf(f.epollItems)) {
                it.epoll.remove(it);
            }
        }
        f.release();
        f.wake(-1); // threads waiting on it return (EBADF)
        return 0;
    }

    /** Descriptors and their files, for ss -p and lsof-like views (loop). */
    Map<Integer, KFile> table() {
        return java.util.Collections.unmodifiableMap(fds);
    }

    // ================================================================== sockets

    /** socket(2): AF_INET with SOCK_STREAM (TCP), SOCK_DGRAM (UDP) or SOCK_RAW; SOCK_NONBLOCK allowed. */
    public int socket(int domain, int type, int protocol) throws SyscallException {
        return (int) sys("socket", -1, c -> {
            if (domain != AF_INET) {
                return Errno.EAFNOSUPPORT.negative();
            }
            int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (!fdAvailable(1)) {
                return Errno.EMFILE.negative();
            }
            SocketFile s;
            switch (base) {
                case Sys.SOCK_STREAM -> {
                    if (protocol != 0 && protocol != Sys.IPPROTO_TCP) {
                        return Errno.EPROTONOSUPPORT.negative();
                    }
                    s = kernel.newStreamSocket();
                    if (s == null) {
                        return Errno.EPROTONOSUPPORT.negative();
                    }
                }
                case Sys.SOCK_DGRAM -> {
                    if (protocol != 0 && protocol != Sys.IPPROTO_UDP) {
                        return Errno.EPROTONOSUPPORT.negative();
                    }
                    s = new UdpSocketFile(kernel);
                }
                case Sys.SOCK_RAW -> {
                    if (protocol <= 0 || protocol > 255) {
                        return Errno.EPROTONOSUPPORT.negative();
                    }
                    s = new RawSocketFile(kernel, protocol);
                }
                default -> {
                    return Errno.ESOCKTNOSUPPORT.negative();
                }
            }
            if ((type & SOCK_NONBLOCK) != 0) {
                s.flags |= O_NONBLOCK;
            }
            return install(s);
        }, "domain", domain == AF_INET ? "AF_INET" : String.valueOf(domain), "type", typeName(type), "protocol", protocol);
    }

    private static String typeName(int type) {
        int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        String n = switch (base) {
            case Sys.SOCK_STREAM -> "SOCK_STREAM";
            case Sys.SOCK_DGRAM -> "SOCK_DGRAM";
            case Sys.SOCK_RAW -> "SOCK_RAW";
            default -> String.valueOf(base);
        };
        return (type & SOCK_NONBLOCK) != 0 ? n + "|SOCK_NONBLOCK" : n;
    }

    /** bind(2). */
    public void bind(int fd, SockAddr addr) throws SyscallException {
        Objects.requireNonNull(addr, "addr");
        sys("bind", fd, c -> socketOf(c).bind(c, addr), "address", addr.toString());
    }

    /** listen(2); the backlog is capped at net.core.somaxconn (4096). */
    public void listen(int fd, int backlog) throws SyscallException {
        sys("listen", fd, c -> socketOf(c).listen(c, backlog), "backlog", backlog);
    }

    /** accept(2): the new connection's descriptor (getpeername tells who). */
    public int accept(int fd) throws SyscallException {
        return accept4(fd, 0);
    }

    /** accept4(2) with SOCK_NONBLOCK. */
    public int accept4(int fd, int flags) throws SyscallException {
        return (int) sys("accept", fd, c -> socketOf(c).accept(c, flags), "flags", flags);
    }

    /** connect(2): blocks until established (or fails); EINPROGRESS on a non-blocking socket. */
    public void connect(int fd, SockAddr addr) throws SyscallException {
        Objects.requireNonNull(addr, "addr");
        sys("connect", fd, c -> socketOf(c).connect(c, addr), "address", addr.toString());
    }

    /** send(2). A blocking TCP send returns once every byte is in the send buffer. */
    public int send(int fd, byte[] b, int off, int len, int flags) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        return (int) sys("send", fd, c -> socketOf(c).sendto(c, b, off, len, flags, null), "len", len, "flags", flags);
    }

    public int send(int fd, byte[] b) throws SyscallException {
        return send(fd, b, 0, b.length, 0);
    }

    /** recv(2): 0 at end of stream. */
    public int recv(int fd, byte[] b, int off, int len, int flags) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        return (int) sys("recv", fd, c -> socketOf(c).recvfrom(c, b, off, len, flags), "len", len, "flags", flags);
    }

    /** sendto(2). */
    public int sendto(int fd, byte[] b, int off, int len, int flags, SockAddr to) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        return (int) sys("sendto", fd, c -> socketOf(c).sendto(c, b, off, len, flags, to), "len", len, "flags", flags,
                "to", String.valueOf(to));
    }

    /** recvfrom(2): the length and the sender. */
    public Received recvfrom(int fd, byte[] b, int off, int len, int flags) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        Call c = call("recvfrom", fd, cc -> socketOf(cc).recvfrom(cc, b, off, len, flags), "len", len, "flags", flags);
        return new Received((int) c.result, (SockAddr) c.out);
    }

    /** shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. */
    public void shutdown(int fd, int how) throws SyscallException {
        sys("shutdown", fd, c -> how < Sys.SHUT_RD || how > Sys.SHUT_RDWR ? Errno.EINVAL.negative()
                : socketOf(c).shutdown(c, how), "how", how == 0 ? "SHUT_RD" : how == 1 ? "SHUT_WR" : "SHUT_RDWR");
    }

    /** setsockopt(2) with an int value (timeouts in milliseconds). */
    public void setsockopt(int fd, int level, int option, int value) throws SyscallException {
        sys("setsockopt", fd, c -> socketOf(c).setsockopt(level, option, value), "level", Sys.levelName(level),
                "option", Sys.optionName(level, option),
                "value", value);
    }

    /** getsockopt(2) of an int option. */
    public int getsockopt(int fd, int level, int option) throws SyscallException {
        return (int) sys("getsockopt", fd, c -> socketOf(c).getsockopt(level, option), "level", Sys.levelName(level),
                "option", Sys.optionName(level, option));
    }

    /**
     * getsockopt(fd, IPPROTO_TCP, TCP_INFO): the connection's queues, windows, RTT and congestion
     * state (ENOTCONN before connect, EOPNOTSUPP on a non-TCP socket).
     */
    public dev.wirelab.netstack.tcp.TcpInfo tcpInfo(int fd) throws SyscallException {
        return (dev.wirelab.netstack.tcp.TcpInfo) call("getsockopt", fd, c -> {
            if (!(socketOf(c) instanceof TcpSocketFile t)) {
                return Errno.EOPNOTSUPP.negative();
            }
            if (t.connection() == null) {
                return Errno.ENOTCONN.negative();
            }
            c.out = t.connection().info();
            return 0;
        }, "level", "IPPROTO_TCP", "option", "TCP_INFO").out;
    }

    /** getsockname(2). */
    public SockAddr getsockname(int fd) throws SyscallException {
        return (SockAddr) call("getsockname", fd, c -> {
            c.out = socketOf(c).localAddress();
            return 0;
        }).out;
    }

    /** getpeername(2): ENOTCONN when not connected. */
    public SockAddr getpeername(int fd) throws SyscallException {
        return (SockAddr) call("getpeername", fd, c -> {
            SockAddr p = socketOf(c).peerAddress();
            if (p == null) {
                return Errno.ENOTCONN.negative();
            }
            c.out = p;
            return 0;
        }).out;
    }

    // ================================================================== files

    /** read(2). */
    public int read(int fd, byte[] b, int off, int len) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        return (int) sys("read", fd, c -> c.file().read(c, b, off, len), "len", len);
    }

    /** write(2). */
    public int write(int fd, byte[] b, int off, int len) throws SyscallException {
        Objects.checkFromIndexSize(off, len, b.length);
        return (int) sys("write", fd, c -> c.file().write(c, b, off, len), "len", len);
    }

    /** close(2). */
    public void close(int fd) throws SyscallException {
        sys("close", fd, c -> {
            if (c.out instanceof TcpSocketFile lingering) {
                return lingering.lingerWait(c); // SO_LINGER: still waiting for the FIN's ACK
            }
            KFile f = fds.get(fd);
            long r = closeFd(fd);
            if (r == 0 && f instanceof TcpSocketFile t && t.released && t.lingers()) {
                c.out = t;
                return t.lingerWait(c);
            }
            return r;
        });
    }

    /** fcntl(2): F_GETFL, and F_SETFL of O_NONBLOCK / O_APPEND. */
    public int fcntl(int fd, int cmd, int arg) throws SyscallException {
        return (int) sys("fcntl", fd, c -> {
            KFile f = c.file();
            if (cmd == Sys.F_GETFL) {
                return f.flags;
            }
            if (cmd == Sys.F_SETFL) {
                int settable = O_NONBLOCK | Sys.O_APPEND;
                f.flags = (f.flags & ~settable) | (arg & settable);
                return 0;
            }
            return Errno.EINVAL.negative();
        }, "cmd", cmd == Sys.F_GETFL ? "F_GETFL" : cmd == Sys.F_SETFL ? "F_SETFL" : String.valueOf(cmd), "arg", arg);
    }

    /**
     * open(2) of a node file ({@link NodeFiles}): O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
     * O_APPEND; or, with O_DIRECTORY, of a directory for {@link #getdents64} (ENOTDIR when the path
     * is a file, EISDIR when opened for writing). A directory is opened only with O_DIRECTORY:
     * without it, a path that is only a directory is ENOENT, as the file system stores files only.
     */
    public int open(String path, int flags) throws SyscallException {
        return (int) sys("open", -1, c -> {
            if ((flags & Sys.O_DIRECTORY) != 0) {
                return openDirectory(path, flags);
            }
            try {
                NodeFiles.normalize(path);
            } catch (IllegalArgumentException e) {
                return Errno.ENOENT.negative();
            }
            NodeFiles files = kernel.files();
            if (!files.exists(path)) {
                if ((flags & Sys.O_CREAT) == 0) {
                    return Errno.ENOENT.negative();
                }
                files.put(path, new byte[0]);
            }
            int mode = flags & Sys.O_ACCMODE;
            if ((flags & Sys.O_TRUNC) != 0 && mode != Sys.O_RDONLY) {
                files.truncate(path);
            }
            return install(new RegularFile(kernel, path, flags & (Sys.O_ACCMODE | Sys.O_APPEND | O_NONBLOCK)));
        }, "path", path, "flags", flags);
    }

    /** open(2) with O_DIRECTORY (loop side). */
    private long openDirectory(String path, int flags) {
        if (!path.equals("/")) {
            try {
                NodeFiles.normalize(path);
            } catch (IllegalArgumentException e) {
                return Errno.ENOENT.negative();
            }
        }
        NodeFiles files = kernel.files();
        if (!files.isDirectory(path)) {
            return (files.exists(path) ? Errno.ENOTDIR : Errno.ENOENT).negative();
        }
        if ((flags & Sys.O_ACCMODE) != Sys.O_RDONLY || (flags & (Sys.O_CREAT | Sys.O_TRUNC)) != 0) {
            return Errno.EISDIR.negative();
        }
        return install(new DirectoryFile(kernel, path, files.entries(path)));
    }

    /**
     * getdents64(2): the next entries of the directory open at {@code fd} ("." and ".." first, then
     * by name), at most {@code count} of them (Linux's count is the bytes of the caller's buffer;
     * here it is entries); an empty list at the end of the directory. ENOTDIR when {@code fd} is
     * not a directory.
     */
    @SuppressWarnings("unchecked")
    public List<NodeFiles.Entry> getdents64(int fd, int count) throws SyscallException {
        return (List<NodeFiles.Entry>) call("getdents64", fd, c -> {
            if (!(c.file() instanceof DirectoryFile d)) {
                return Errno.ENOTDIR.negative();
            }
            if (count < 1) {
                return Errno.EINVAL.negative();
            }
            List<NodeFiles.Entry> batch = List.copyOf(d.next(count));
            c.out = batch;
            return batch.size();
        }, "count", count).out;
    }

    /** fstat(2)'s st_size: the size of an open node file (0 for anything else). */
    public long fileSize(int fd) throws SyscallException {
        return sys("fstat", fd, c -> c.file() instanceof RegularFile r ? r.contents().length : 0);
    }

    /** pipe(2): [read end, write end]. */
    public int[] pipe() throws SyscallException {
        return pipe2(0);
    }

    /** pipe2(2) with O_NONBLOCK. */
    public int[] pipe2(int flags) throws SyscallException {
        return (int[]) call("pipe2", -1, c -> {
            if (!fdAvailable(2)) {
                return Errno.EMFILE.negative();
            }
            PipeFile[] p = PipeFile.create(kernel);
            p[0].flags |= flags & O_NONBLOCK;
            p[1].flags |= flags & O_NONBLOCK;
            int r = install(p[0]);
            int w = install(p[1]);
            c.out = new int[] {r, w};
            c.trace("read_fd", r, "write_fd", w);
            return 0;
        }, "flags", flags).out;
    }

    /**
     * sendfile(2): sends {@code count} bytes of the node file open at {@code inFd}, from
     * {@code offset} (or, when it is -1, from the file's position, which then advances), to the
     * socket {@code outFd}. The kernel hands the file's bytes to the socket itself; they never pass
     * through the program. Blocks until all are in the send buffer unless the socket is non-blocking.
     */
    public long sendfile(int outFd, int inFd, long offset, long count) throws SyscallException {
        return sys("sendfile", outFd, c -> {
            KFile in = lookup(inFd);
            if (!(in instanceof RegularFile rf) || !rf.readable()) {
                return (in instanceof RegularFile ? Errno.EBADF : Errno.EINVAL).negative();
            }
            KFile out = c.file();
            if (count < 0 || offset < -1) {
                return Errno.EINVAL.negative();
            }
            if (c.out == null) {
                c.out = rf.contents(); // the bytes at the start of the call
            }
            byte[] data = (byte[]) c.out;
            long start = offset >= 0 ? offset : rf.position;
            long total = Math.max(0, Math.min(count, data.length - start));
            long sent = c.progress;
            while (sent < total) {
                long r = out.writeSome(data, (int) (start + sent), (int) Math.min(total - sent, 1 << 20));
                if (r == Errno.EAGAIN.negative() || r == 0) {
                    break;
                }
                if (r < 0) {
                    return sent > 0 ? done(rf, offset, start, sent) : r;
                }
                sent += r;
            }
            c.progress = sent;
            if (sent == total) {
                return done(rf, offset, start, sent);
            }
            if (c.mustNotBlock(out, 0)) {
                return sent > 0 ? done(rf, offset, start, sent) : Errno.EAGAIN.negative();
            }
            c.waitFor(out, EPOLLOUT);
            return Call.BLOCK;
        }, "in_fd", inFd, "offset", offset, "count", count);
    }

    private static long done(RegularFile rf, long offset, long start, long sent) {
        if (offset < 0) {
            rf.position = start + sent;
        }
        return sent;
    }

    // ================================================================== readiness

    /** poll(2): fills each {@link PollFd#revents}; returns how many are ready (0 on timeout; -1 = no timeout). */
    public int poll(PollFd[] pfds, int timeoutMs) throws SyscallException {
        return (int) sys("poll", -1, c -> {
            int n = 0;
            for (PollFd p : pfds) {
                p.revents = 0;
                if (p.fd < 0) {
                    continue;
                }
                KFile f = fds.get(p.fd);
                if (f == null) {
                    p.revents = Sys.POLLNVAL;
                    n++;
                    continue;
                }
                int m = f.poll() & (p.events | EPOLLERR | EPOLLHUP);
                if (m != 0) {
                    p.revents = m;
                    n++;
                }
            }
            if (n > 0 || timeoutMs == 0 || c.timedOut) {
                return n;
            }
            for (PollFd p : pfds) {
                KFile f = p.fd < 0 ? null : fds.get(p.fd);
                if (f != null) {
                    c.waitFor(f, p.events);
                }
            }
            if (timeoutMs > 0) {
                c.timeout(timeoutMs * 1_000_000L);
            }
            return Call.BLOCK;
        }, "nfds", pfds.length, "timeout_ms", timeoutMs);
    }

    /**
     * select(2) over descriptors below {@code nfds}: the sets (any may be null) are replaced by the
     * ready ones; returns how many bits are set. {@code timeoutMicros} -1 waits forever.
     */
    public int select(int nfds, BitSet readfds, BitSet writefds, BitSet exceptfds, long timeoutMicros)
            throws SyscallException {
        if (nfds < 0 || nfds > Sys.OPEN_MAX) {
            throw new SyscallException(Errno.EINVAL, "select");
        }
        BitSet r0 = readfds == null ? new BitSet() : (BitSet) readfds.clone();
        BitSet w0 = writefds == null ? new BitSet() : (BitSet) writefds.clone();
        BitSet e0 = exceptfds == null ? new BitSet() : (BitSet) exceptfds.clone();
        // fs/select.c: readable = POLLIN_SET, writable = POLLOUT_SET, exception = POLLEX_SET.
        final int inSet = EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLERR;
        final int outSet = EPOLLOUT | EPOLLWRNORM | EPOLLERR;
        return (int) sys("select", -1, c -> {
            BitSet r = new BitSet();
            BitSet w = new BitSet();
            BitSet e = new BitSet();
            int n = 0;
            for (int fd = 0; fd < nfds; fd++) {
                boolean any = r0.get(fd) || w0.get(fd) || e0.get(fd);
                if (!any) {
                    continue;
                }
                KFile f = fds.get(fd);
                if (f == null) {
                    return Errno.EBADF.negative();
                }
                int m = f.poll();
                if (r0.get(fd) && (m & inSet) != 0) {
                    r.set(fd);
                    n++;
                }
                if (w0.get(fd) && (m & outSet) != 0) {
                    w.set(fd);
                    n++;
                }
                if (e0.get(fd) && (m & EPOLLPRI) != 0) {
                    e.set(fd);
                    n++;
                }
            }
            if (n > 0 || timeoutMicros == 0 || c.timedOut) {
                replace(readfds, r);
                replace(writefds, w);
                replace(exceptfds, e);
                return n;
            }
            for (int fd = 0; fd < nfds; fd++) {
                int mask = (r0.get(fd) ? EPOLLIN : 0) | (w0.get(fd) ? EPOLLOUT : 0) | (e0.get(fd) ? EPOLLPRI : 0);
                if (mask != 0) {
                    c.waitFor(fds.get(fd), mask);
                }
            }
            if (timeoutMicros > 0) {
                c.timeout(timeoutMicros * 1_000L);
            }
            return Call.BLOCK;
        }, "nfds", nfds, "timeout_us", timeoutMicros);
    }

    private static void replace(BitSet target, BitSet value) {
        if (target != null) {
            target.clear();
            target.or(value);
        }
    }

    /** epoll_create1(2). */
    public int epollCreate() throws SyscallException {
        return (int) sys("epoll_create1", -1, c -> install(new EpollFile(kernel)));
    }

    /** epoll_ctl(2): EPOLL_CTL_ADD / MOD / DEL of {@code fd} with {@code events} (EPOLLET, EPOLLONESHOT...) and {@code data}. */
    public void epollCtl(int epfd, int op, int fd, int events, long data) throws SyscallException {
        sys("epoll_ctl", epfd, c -> {
            if (!(c.file() instanceof EpollFile ep)) {
                return Errno.EINVAL.negative();
            }
            return ep.ctl(op, fd, lookup(fd), events, data);
        }, "op", op == Sys.EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : op == Sys.EPOLL_CTL_MOD ? "EPOLL_CTL_MOD"
                : op == Sys.EPOLL_CTL_DEL ? "EPOLL_CTL_DEL" : String.valueOf(op), "target_fd", fd,
                "events", Sys.epollNames(events));
    }

    /** epoll_wait(2): fills {@code events[0..n)}; returns n (0 on timeout; timeout -1 waits forever). */
    public int epollWait(int epfd, EpollEvent[] events, int maxEvents, int timeoutMs) throws SyscallException {
        if (maxEvents <= 0 || maxEvents > events.length) {
            throw new SyscallException(Errno.EINVAL, "epoll_wait");
        }
        return (int) sys("epoll_wait", epfd, c -> {
            if (!(c.file() instanceof EpollFile ep)) {
                return Errno.EINVAL.negative();
            }
            return ep.waitEvents(c, events, maxEvents, timeoutMs);
        }, "maxevents", maxEvents, "timeout_ms", timeoutMs);
    }

    // ================================================================== io_uring

    /** io_uring_setup(2): a ring with {@code entries} submission slots (rounded up to a power of two). */
    public IoUring ioUringSetup(int entries) throws SyscallException {
        if (entries < 1 || entries > 32_768) {
            throw new SyscallException(Errno.EINVAL, "io_uring_setup");
        }
        int size = Integer.highestOneBit(entries);
        int rounded = size == entries ? entries : size << 1;
        Call c = call("io_uring_setup", -1, cc -> {
            UringFile u = new UringFile(kernel, this);
            cc.out = u;
            return install(u);
        }, "entries", rounded);
        return new IoUring(this, (int) c.result, rounded, (UringFile) c.out);
    }

    int ioUringEnter(IoUring ring, List<IoUring.Sqe> batch, int minComplete, long timeoutNanos) throws SyscallException {
        return (int) sys("io_uring_enter", ring.fd(), c -> {
            if (c.file() != ring.ring) {
                return Errno.EBADF.negative();
            }
            return ring.ring.enter(c, batch, minComplete, timeoutNanos);
        }, "to_submit", batch.size(), "min_complete", minComplete);
    }

    // ================================================================== name resolution

    /**
     * getaddrinfo(3) for IPv4: the node's stub resolver ({@link dev.wirelab.netstack.dns.StubResolver})
     * answers from a literal address, the hosts file, its cache or its name servers, while the calling
     * thread waits. Fails with {@link dev.wirelab.netstack.dns.StubResolver.ResolveException} (EAI_NONAME,
     * EAI_AGAIN, EAI_FAIL), or with ETIMEDOUT when {@code timeoutNanos} (if > 0) passes first, as a
     * caller's own timer around the lookup would end it (curl's resolve timeout).
     */
    public List<dev.wirelab.netstack.wire.Ipv4Address> getaddrinfo(String name, long timeoutNanos) throws SyscallException {
        record Lookup(java.util.concurrent.CompletableFuture<List<dev.wirelab.netstack.wire.Ipv4Address>> future, KFile done) {
        }
        Call c = call("getaddrinfo", -1, cc -> {
            if (cc.out == null) {
                KFile done = new KFile(kernel) {
                    @Override
                    String type() {
                        return "resolver";
                    }

                    @Override
                    int poll() {
                        return 0;
                    }
                };
                var f = dev.wirelab.netstack.dns.StubResolver.of(kernel.node).getaddrinfo(name);
                cc.out = new Lookup(f, done);
                f.whenComplete((v, e) -> kernel.loop.execute(() -> done.wake(EPOLLIN)));
            }
            Lookup l = (Lookup) cc.out;
            if (l.future().isDone()) {
                if (l.future().isCompletedExceptionally()) {
                    Throwable e = l.future().exceptionNow();
                    cc.trace("error", e instanceof dev.wirelab.netstack.dns.StubResolver.ResolveException r
                            ? "EAI_" + r.code() : String.valueOf(e));
                } else {
                    cc.trace("addresses", l.future().resultNow().toString());
                }
                return 0;
            }
            if (cc.timedOut) {
                return Errno.ETIMEDOUT.negative();
            }
            cc.waitFor(l.done(), EPOLLIN);
            if (timeoutNanos > 0) {
                cc.timeout(timeoutNanos);
            }
            return Call.BLOCK;
        }, "name", name);
        var f = ((Lookup) c.out).future();
        if (f.isCompletedExceptionally()) {
            Throwable e = f.exceptionNow();
            if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
                e = e.getCause();
            }
            if (e instanceof dev.wirelab.netstack.dns.StubResolver.ResolveException r) {
                throw new dev.wirelab.netstack.dns.StubResolver.ResolveException(r.code(), r.getMessage());
            }
            throw new dev.wirelab.netstack.dns.StubResolver.ResolveException("FAIL", name + ": " + e);
        }
        return f.resultNow();
    }

    // ================================================================== time, threads, output, exit

    /** nanosleep(2) in lab time. */
    public void sleep(long nanos) throws SyscallException {
        sys("nanosleep", -1, c -> {
            if (nanos <= 0 || c.timedOut) {
                return 0;
            }
            c.timeout(nanos);
            return Call.BLOCK;
        }, "ns", nanos);
    }

    /** Starts a thread in this process (clone(2) as pthread_create does); returns its tid. */
    public int spawn(String threadName, Body body) throws SyscallException {
        Objects.requireNonNull(body, "body");
        return (int) sys("clone", -1, c -> newThread(threadName, p -> {
            body.run();
            return 0;
        }, false).tid, "name", threadName);
    }

    /** Waits for thread {@code tid} to end (pthread_join; a futex wait in Linux). */
    public void join(int tid) throws SyscallException {
        sys("futex", -1, c -> {
            if (!threads.containsKey(tid)) {
                return 0;
            }
            c.waitFor(threadExits, EPOLLIN);
            return Call.BLOCK;
        }, "op", "FUTEX_WAIT", "tid", tid);
    }

    /** Writes a line to standard output (write(2) on descriptor 1); never waits. */
    public void println(String line) {
        PThread t = self();
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        Call c = new Call(this, t, "write", 1, new Object[] {"len", b.length}, cc -> cc.file().write(cc, b, 0, b.length),
                cc -> { }, false);
        kernel.loop.execute(() -> dispatch(c));
    }

    /** exit_group(2): ends the process now; never returns. */
    public void exit(int status) throws SyscallException {
        sys("exit_group", -1, c -> {
            terminate(status);
            return 0;
        }, "status", status);
        throw new ProcessExit();
    }

    @Override
    public String toString() {
        return name() + "[" + pid + "] on " + kernel.node.name();
    }
}
