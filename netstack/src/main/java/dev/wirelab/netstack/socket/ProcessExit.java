package dev.wirelab.netstack.socket;

/**
 * Unwinds a program thread whose process has exited (its main thread returned, another thread
 * crashed, or it was interrupted like Ctrl-C). Programs must not catch it; it is an Error so that
 * {@code catch (Exception e)} lets it pass.
 */
public final class ProcessExit extends Error {

    ProcessExit() {
        super("process exited", null, false, false);
    }
}
