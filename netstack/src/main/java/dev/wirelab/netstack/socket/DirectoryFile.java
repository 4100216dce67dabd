package dev.wirelab.netstack.socket;

import java.util.ArrayList;
import java.util.List;

/**
 * A directory open for reading its entries (open with O_DIRECTORY): getdents64 hands them out in
 * order, "." and ".." first as Linux does, from where the last call stopped. The entries are those
 * of the moment of open (a snapshot, as a program reading a directory another one changes may or
 * may not see the change on Linux too). read(2) on it is EISDIR.
 */
final class DirectoryFile extends KFile {

    final String path;
    private final List<NodeFiles.Entry> entries;
    private int position;

    DirectoryFile(Kernel kernel, String path, List<NodeFiles.Entry> entries) {
        super(kernel);
        this.path = path;
        List<NodeFiles.Entry> all = new ArrayList<>(entries.size() + 2);
        all.add(new NodeFiles.Entry(".", true));
        all.add(new NodeFiles.Entry("..", true));
        all.addAll(entries);
        this.entries = List.copyOf(all);
        this.flags = Sys.O_RDONLY;
    }

    @Override
    String type() {
        return "dir";
    }

    @Override
    int poll() {
        return Sys.EPOLLIN | Sys.EPOLLRDNORM;
    }

    @Override
    long read(Call c, byte[] b, int off, int len) {
        return Errno.EISDIR.negative();
    }

    /** The next {@code max} entries (fewer at the end, none after it). */
    List<NodeFiles.Entry> next(int max) {
        int end = Math.min(entries.size(), position + max);
        List<NodeFiles.Entry> batch = entries.subList(position, end);
        position = end;
        return batch;
    }
}
