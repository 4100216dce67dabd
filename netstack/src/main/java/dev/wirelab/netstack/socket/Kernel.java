package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.tcp.TcpConnection;
import dev.wirelab.netstack.tcp.TcpLayer;
import dev.wirelab.netstack.tcp.TcpListener;
import dev.wirelab.netstack.time.EventLoop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operating system of one node above its network stack: processes with descriptor tables,
 * system calls, sockets, epoll and io_uring instances, pipes and the node's files. Everything here
 * runs on the node's loop; programs reach it only through {@link Process}, whose calls cross into
 * the loop and wait there (never blocking the loop).
 */
public final class Kernel {

    final Node node;
    final EventLoop loop;
    final Gate gate;
    private final Map<Integer, Process> processes = new TreeMap<>();
    /** Every open socket, in creation order (ss lists them). */
    final Set<SocketFile> sockets = new LinkedHashSet<>();
    /** Linux hands out pids and tids from one counter; we start where a booted system might be. */
    private int nextPid = 100;
    /** Where bind() to port 0 starts looking in the ephemeral range (per node: deterministic). */
    int nextBindPort;

    private Kernel(Node node) {
        this.node = node;
        this.loop = node.loop();
        this.gate = Gate.forLoop(loop);
        // A stopping node takes its processes with it: descriptors close, threads unwind.
        node.onStop(() -> {
            for (Process p : List.copyOf(processes.values())) {
                p.terminate(137);
            }
        });
    }

    /** The kernel of {@code node} (a node service), created on first use. */
    public static Kernel of(Node node) {
        return node.service(Kernel.class, Kernel::new);
    }

    public Node node() {
        return node;
    }

    public NodeFiles files() {
        // Looked up each time: node services must not be made inside another's creation.
        return NodeFiles.of(node);
    }

    /** What a process reports to whoever started it (a shell: its terminal and its wait()). */
    public interface Hooks {
        /** One line of the process's standard output or error, on the loop. */
        void output(String line);

        /** The process has exited with {@code status}, on the loop. */
        void exited(int status);

        /** Polled on the loop at each system call: true once the process has been interrupted (Ctrl-C). */
        default boolean interrupted() {
            return false;
        }
    }

    /** A program's main function, run on the process's main thread. */
    @FunctionalInterface
    public interface Main {
        int main(Process process) throws Exception;
    }

    /**
     * Starts a process (on the loop): its main thread begins at its first turn. Its exit status
     * goes to {@code hooks}.
     */
    public Process spawn(List<String> argv, Hooks hooks, Main main) {
        requireLoop();
        int pid = allocatePid();
        Process p = new Process(this, pid, argv, hooks);
        processes.put(pid, p);
        node.event("process", "start", "pid", pid, "program", p.name(), "argv", String.join(" ", argv));
        p.startMain(main);
        return p;
    }

    int allocatePid() {
        int pid = nextPid;
        nextPid = nextPid >= 4_194_304 ? 100 : nextPid + 1; // pid_max on 64-bit Linux
        return pid;
    }

    void reaped(Process p) {
        processes.remove(p.pid());
    }

    /** Running processes by pid (a snapshot; call on the loop). */
    public List<Process> processes() {
        return Collections.unmodifiableList(new ArrayList<>(processes.values()));
    }

    void requireLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("kernel calls run on the node's loop");
        }
    }

    /** A new SOCK_STREAM socket, or null when the node has no TCP. */
    SocketFile newStreamSocket() {
        return TcpLayer.find(node).map(t -> (SocketFile) new TcpSocketFile(this, t)).orElse(null);
    }

    /**
     * Every TCP socket of the node for ss / netstat (call on the loop): listeners and connections
     * as the TCP engine knows them (SYN-RECV, not yet accepted and TIME-WAIT ones included), each
     * with the processes holding a descriptor for it.
     */
    public List<SocketInfo> tcpSockets() {
        requireLoop();
        Map<Object, List<SocketInfo.Owner>> owners = owners();
        List<SocketInfo> out = new ArrayList<>();
        TcpLayer.find(node).ifPresent(tcp -> {
            for (TcpListener l : tcp.listeners()) {
                out.add(TcpSocketFile.listenerInfo(l).withOwners(owners.getOrDefault(l, List.of())));
            }
            for (TcpConnection c : tcp.connections()) {
                out.add(TcpSocketFile.connectionInfo(c).withOwners(owners.getOrDefault(c, List.of())));
            }
        });
        return out;
    }

    /** Bound UDP and raw sockets for ss -u / -w (call on the loop). */
    public List<SocketInfo> datagramSockets() {
        requireLoop();
        Map<Object, List<SocketInfo.Owner>> owners = owners();
        List<SocketInfo> out = new ArrayList<>();
        for (SocketFile s : sockets) {
            if (!(s instanceof TcpSocketFile) && s.localAddress().port() != 0) {
                out.add(s.info().withOwners(owners.getOrDefault(s, List.of())));
            }
        }
        return out;
    }

    private Map<Object, List<SocketInfo.Owner>> owners() {
        Map<Object, List<SocketInfo.Owner>> m = new java.util.IdentityHashMap<>();
        for (Process p : processes.values()) {
            for (Map.Entry<Integer, KFile> e : p.table().entrySet()) {
                Object key = e.getValue();
                if (key instanceof TcpSocketFile t) {
                    key = t.listener() != null ? t.listener() : t.connection();
                }
                if (key != null) {
                    m.computeIfAbsent(key, k -> new ArrayList<>()).add(new SocketInfo.Owner(p.name(), p.pid(), e.getKey()));
                }
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ system call machinery

    /** Attempts a call; completes it unless it blocked. */
    void attempt(Call c) {
        if (c.done) {
            return;
        }
        if (c.process.dead()) {
            kill(c);
            return;
        }
        c.clearWaits();
        long r;
        try {
            r = c.op.attempt(c);
        } catch (KernelError e) {
            r = e.errno.negative();
        } catch (RuntimeException e) {
            node.event("syscall", "internal_error", "pid", c.process.pid(), "call", c.name, "error", String.valueOf(e));
            r = Errno.EFAULT.negative();
        }
        if (c.done) {
            return; // the call ended the process (exit_group) and was killed with it
        }
        if (r == Call.BLOCK) {
            if (c.waiting() || c.hasTimer()) {
                c.waited = true;
                return;
            }
            r = Errno.EAGAIN.negative(); // an operation that blocks on nothing would hang forever
        }
        finish(c, r);
    }

    void finish(Call c, long result) {
        c.done = true;
        c.result = result;
        c.clearWaits();
        c.cancelTimer();
        trace(c);
        c.completion.complete(c);
    }

    /** The process died: the thread waiting in {@code c} unwinds; nothing is traced. */
    void kill(Call c) {
        if (c.done) {
            return;
        }
        c.done = true;
        c.killed = true;
        c.clearWaits();
        c.cancelTimer();
        c.completion.complete(c);
    }

    private void trace(Call c) {
        List<Object> kv = new ArrayList<>(16);
        kv.add("pid");
        kv.add(c.process.pid());
        if (c.thread != null && c.thread.tid != c.process.pid()) {
            kv.add("tid");
            kv.add(c.thread.tid);
        }
        kv.add("program");
        kv.add(c.process.name());
        if (c.fd >= 0) {
            kv.add("fd");
            kv.add(c.fd);
        }
        for (Object a : c.args) {
            kv.add(a);
        }
        if (c.traceExtra != null) {
            kv.addAll(c.traceExtra);
        }
        if (c.result >= 0) {
            kv.add("result");
            kv.add(c.result);
        } else {
            kv.add("result");
            kv.add(-1);
            kv.add("errno");
            kv.add(Errno.of((int) -c.result).name());
        }
        kv.add("blocked_ns");
        kv.add(loop.nanos() - c.startedAt);
        if (c.waited) {
            // Whether the call blocked, apart from how long it took: in real time blocked_ns also
            // counts the crossing into the node's loop, so a call that never waited is not 0 there.
            kv.add("waited");
            kv.add(true);
        }
        node.event(c.thread == null ? "io_uring" : "syscall", c.name, kv.toArray());
    }
}
