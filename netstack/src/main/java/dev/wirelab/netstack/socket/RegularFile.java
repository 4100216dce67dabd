package dev.wirelab.netstack.socket;

/** An open node file ({@link NodeFiles}): read and write at a position; always ready. */
final class RegularFile extends KFile {

    final String path;
    private final NodeFiles files;
    long position;

    RegularFile(Kernel kernel, String path, int flags) {
        super(kernel);
        this.path = path;
        this.files = kernel.files();
        this.flags = flags;
    }

    @Override
    String type() {
        return "file";
    }

    @Override
    int poll() {
        return Sys.EPOLLIN | Sys.EPOLLRDNORM | Sys.EPOLLOUT | Sys.EPOLLWRNORM;
    }

    boolean readable() {
        return (flags & Sys.O_ACCMODE) != Sys.O_WRONLY;
    }

    boolean writable() {
        return (flags & Sys.O_ACCMODE) != Sys.O_RDONLY;
    }

    /** The bytes now, not copied (the kernel reads them in place, e.g. for sendfile). */
    byte[] contents() {
        byte[] b = files.snapshot(path);
        return b == null ? new byte[0] : b;
    }

    @Override
    long read(Call c, byte[] b, int off, int len) {
        if (!readable()) {
            return Errno.EBADF.negative();
        }
        byte[] data = contents();
        if (position >= data.length) {
            return 0;
        }
        int n = (int) Math.min(len, data.length - position);
        System.arraycopy(data, (int) position, b, off, n);
        position += n;
        return n;
    }

    @Override
    long write(Call c, byte[] b, int off, int len) {
        if (!writable()) {
            return Errno.EBADF.negative();
        }
        if ((flags & Sys.O_APPEND) != 0) {
            position = contents().length;
        }
        if (files.write(path, position, b, off, len) == null) {
            return Errno.EFBIG.negative();
        }
        position += len;
        return len;
    }
}
