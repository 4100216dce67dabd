package dev.wirelab.control.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the OS scheduling priority (raises the nice value) of work that may lag: the trace's
 * formatting and COPY threads and the embedded PostgreSQL. On a busy machine the bus's thread,
 * which carries the frames in flight, then comes first; the trace waits in its spool and catches
 * up. Measured on 2 cores with a container run's iperf (h1 -> r1 -> h2): the bus's thread was
 * runnable but got 12-17% of a core among ~8 runnable threads, and its socket queued 2-4 MB
 * (250 ms-1 s of RTT; the routers themselves forward in ~10 us). With the ingest and PostgreSQL
 * at nice 10: 45 -> 48-64 Mbit/s; with every thread of this JVM but the bus's at nice 15 (an
 * experiment, not what this does: it would starve event pulling and the API), 67-130 Mbit/s.
 *
 * <p>Linux applies setpriority(PRIO_PROCESS) to one thread when given its thread id, which is what
 * {@code renice -p TID} does; a thread finds its id in {@code /proc/thread-self}. Raising one's own
 * nice value needs no privilege. Elsewhere (no /proc, no renice) nothing changes, said once in the log.
 */
public final class OsPriority {

    private static final Logger log = LoggerFactory.getLogger(OsPriority.class);
    private static volatile boolean warned;

    private OsPriority() {
    }

    /** The calling thread's OS thread id, or -1 when this system does not say. */
    static long currentThreadId() {
        try {
            // "/proc/thread-self" -> "<pid>/task/<tid>"
            Path target = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Long.parseLong(target.getFileName().toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return -1;
        }
    }

    /** Gives the calling thread nice value {@code nice} (0 leaves it as it is); true when done. */
    public static boolean lowerCurrentThread(int nice) {
        if (nice <= 0) {
            return false;
        }
        long tid = currentThreadId();
        return tid > 0 && renice(tid, nice, Thread.currentThread().getName());
    }

    /** Gives process (or thread) {@code id} nice value {@code nice}; children it forks later inherit it. */
    public static boolean lower(long id, int nice, String what) {
        return nice > 0 && renice(id, nice, what);
    }

    private static boolean renice(long id, int nice, String what) {
        try {
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", Long.toString(id))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                warnOnce("renice " + what + " (" + id + ") failed: " + out);
                return false;
            }
            log.debug("{} ({}) runs at nice {}", what, id, nice);
            return true;
        } catch (IOException e) {
            warnOnce("no renice here (" + e.getMessage() + "): " + what + " keeps its priority");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void warnOnce(String message) {
        if (!warned) {
            warned = true;
            log.warn(message);
        }
    }

    /** The nice value of thread or process {@code id} (field 19 of /proc/ID/stat), or null when unknown. */
    static Integer niceOf(long id) {
        try {
            String stat = Files.readString(Path.of("/proc/" + id + "/task/" + id + "/stat"));
            String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
            return Integer.parseInt(afterComm.split(" ")[16]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
