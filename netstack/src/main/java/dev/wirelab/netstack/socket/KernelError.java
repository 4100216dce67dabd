package dev.wirelab.netstack.socket;

/** Thrown by kernel-side code (on the loop) to fail the current system call with an errno. */
final class KernelError extends RuntimeException {

    final Errno errno;

    KernelError(Errno errno) {
        super(errno.name(), null, false, false);
        this.errno = errno;
    }
}
