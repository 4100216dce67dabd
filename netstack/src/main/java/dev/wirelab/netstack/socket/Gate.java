package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.time.VirtualTimeScheduler;

/**
 * How program threads take turns with the node's event loop. A program thread runs its own code,
 * posts each system call to the loop and {@link #park parks} until the loop {@link #resume resumes}
 * it with the result. The loop never waits for a program.
 *
 * <p>In real time that is all ({@link RealGate}). In virtual time ({@link VirtualGate}) the order in
 * which threads and loop tasks interleave must not depend on the JVM's thread scheduling, so
 * resumed threads are queued and let run one at a time, from the scheduler's quiescence barrier,
 * while the scheduler waits; virtual time does not move while any program thread runs.
 */
abstract sealed class Gate permits Gate.RealGate, VirtualGate {

    static Gate forLoop(EventLoop loop) {
        if (loop instanceof VirtualTimeScheduler v) {
            return VirtualGate.of(v);
        }
        return RealGate.INSTANCE;
    }

    /** Makes a new thread runnable; it starts running at its turn. Called on the loop. */
    abstract void start(PThread t);

    /** Lets a thread whose system call has completed run again. Called on the loop. */
    abstract void resume(PThread t);

    /** Called by a program thread after posting a system call: waits for {@link #resume}. */
    abstract void park(PThread t);

    /** Called first by a new program thread: waits for its first turn. */
    abstract void awaitStart(PThread t);

    /** Called last by a program thread. */
    abstract void exit(PThread t);

    /** Real time: threads run as the JVM schedules them; a resume is a permit plus an unpark. */
    static final class RealGate extends Gate {
        static final RealGate INSTANCE = new RealGate();

        @Override
        void start(PThread t) {
            t.thread.start();
        }

        @Override
        void resume(PThread t) {
            t.permit = true;
            java.util.concurrent.locks.LockSupport.unpark(t.thread);
        }

        @Override
        void park(PThread t) {
            while (!t.permit) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
            t.permit = false;
        }

        @Override
        void awaitStart(PThread t) {
        }

        @Override
        void exit(PThread t) {
        }
    }
}
