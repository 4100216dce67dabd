package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.Process;
import dev.wirelab.netstack.socket.SockAddr;
import dev.wirelab.netstack.socket.Sys;
import dev.wirelab.netstack.socket.SyscallException;

import java.nio.ByteBuffer;
import java.util.Set;

import static dev.wirelab.netstack.socket.Sys.AF_INET;
import static dev.wirelab.netstack.socket.Sys.SOCK_NONBLOCK;
import static dev.wirelab.netstack.socket.Sys.SOCK_STREAM;
import static dev.wirelab.netstack.socket.Sys.SOL_SOCKET;

/**
 * The plumbing of the classic TCP server patterns, shared by echod and httpd, which only add
 * what they do with a connection: the listening socket, N workers each on its own thread,
 * and an acceptor handing descriptors to a pool through a pipe.
 */
final class ServerPatterns {

    /** The patterns, as {@code --mode} names them. */
    static final Set<String> MODES = Set.of("single", "threads", "reuseport", "epoll", "uring");

    @FunctionalInterface
    interface Worker {
        void run(int index) throws Exception;
    }

    @FunctionalInterface
    interface Handler {
        /** Serves one accepted connection to its end and closes it. */
        void serve(int fd) throws Exception;
    }

    private ServerPatterns() {
    }

    /** socket, SO_REUSEADDR (and SO_REUSEPORT), bind to 0.0.0.0:port, listen. */
    static int listener(Process p, int port, int backlog, boolean reusePort, boolean nonblocking) throws SyscallException {
        int ls = p.socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
        p.setsockopt(ls, SOL_SOCKET, Sys.SO_REUSEADDR, 1);
        if (reusePort) {
            p.setsockopt(ls, SOL_SOCKET, Sys.SO_REUSEPORT, 1);
        }
        p.bind(ls, SockAddr.any(port));
        p.listen(ls, backlog);
        return ls;
    }

    /** Runs {@code body} on {@code workers} threads named after the mode, and waits for them. */
    static void perWorker(Process p, String mode, int workers, Worker body) throws Exception {
        int[] tids = new int[workers];
        for (int w = 0; w < workers; w++) {
            int index = w;
            tids[w] = p.spawn(mode + "-" + w, () -> body.run(index));
        }
        for (int t : tids) {
            p.join(t);
        }
    }

    /** An iterative server: accept, serve, repeat. */
    static void single(Process p, int ls, Handler h) throws Exception {
        while (true) {
            h.serve(p.accept(ls));
        }
    }

    /** An acceptor hands connections to a pool of {@code workers} threads through a pipe (4-byte descriptors, atomic writes). */
    static void threads(Process p, int ls, int workers, Handler h) throws Exception {
        int[] pipe = p.pipe();
        for (int w = 0; w < workers; w++) {
            p.spawn("pool-" + w, () -> {
                byte[] b = new byte[4];
                while (p.read(pipe[0], b, 0, 4) == 4) {
                    h.serve(ByteBuffer.wrap(b).getInt());
                }
            });
        }
        while (true) {
            int c = p.accept(ls);
            p.write(pipe[1], ByteBuffer.allocate(4).putInt(c).array(), 0, 4);
        }
    }
}
