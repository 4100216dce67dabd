package dev.wirelab.netstack.socket;

import java.util.concurrent.locks.Condition;

/** A thread of a {@link Process}: a JVM (virtual) thread running program code between system calls. */
final class PThread {

    final Process process;
    final int tid;
    final String name;
    Thread thread;
    /** Set by the gate when it is this thread's turn to run. */
    volatile boolean permit;
    /** The virtual gate's condition this thread waits on. */
    Condition turn;
    /** The system call this thread waits in, or null (loop-side view). */
    Call pending;

    PThread(Process process, int tid, String name) {
        this.process = process;
        this.tid = tid;
        this.name = name;
    }

    String describe() {
        return process.name() + "[" + process.pid() + "] thread " + tid + " (" + name + ")"
                + (thread == null ? "" : " " + stack());
    }

    private String stack() {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : thread.getStackTrace()) {
            b.append("\n    at ").append(e);
        }
        return b.toString();
    }
}
