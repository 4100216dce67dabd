package dev.wirelab.netstack.socket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A process's terminal: descriptor 0 reads end-of-file at once (labs have no interactive input;
 * programs take their data from arguments or node files), descriptors 1 and 2 turn written bytes
 * into output lines.
 */
final class TtyFile extends KFile {

    private final Process process;
    private final boolean input;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    TtyFile(Kernel kernel, Process process, boolean input) {
        super(kernel);
        this.process = process;
        this.input = input;
        flags = input ? Sys.O_RDONLY : Sys.O_WRONLY;
    }

    @Override
    String type() {
        return "tty";
    }

    @Override
    int poll() {
        return input ? Sys.EPOLLIN | Sys.EPOLLRDNORM | Sys.EPOLLHUP : Sys.EPOLLOUT | Sys.EPOLLWRNORM;
    }

    @Override
    long read(Call c, byte[] b, int off, int len) {
        return input ? 0 : Errno.EBADF.negative();
    }

    @Override
    long write(Call c, byte[] b, int off, int len) {
        if (input) {
            return Errno.EBADF.negative();
        }
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                process.output(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else {
                partial.write(b[i]);
            }
        }
        return len;
    }

    /** Emits an unterminated last line (at exit). */
    void flush() {
        if (partial.size() > 0) {
            process.output(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
    }
}
