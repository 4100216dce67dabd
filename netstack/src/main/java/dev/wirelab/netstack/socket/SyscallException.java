package dev.wirelab.netstack.socket;

/**
 * A failed system call, like a -1 return with {@code errno} set. The message reads as perror()
 * prints it: {@code "connect: Connection refused"}.
 */
public final class SyscallException extends Exception {

    private final Errno errno;
    private final String call;

    public SyscallException(Errno errno, String call) {
        super(call + ": " + errno.message(), null, false, false);
        this.errno = errno;
        this.call = call;
    }

    public Errno errno() {
        return errno;
    }

    /** The system call that failed. */
    public String call() {
        return call;
    }
}
