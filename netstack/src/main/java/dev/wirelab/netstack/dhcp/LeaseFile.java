package dev.wirelab.netstack.dhcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where a DHCP server keeps its leases between runs (dhcpd's /var/lib/dhcp/dhcpd.leases): part of the
 * node's state, so stopping and starting the node keeps every binding. The text format is
 * {@link LeaseDatabase#write}'s.
 */
public interface LeaseFile {

    /** The file's text, or "" when there is none yet. */
    String read();

    /** Replaces the file's text (atomically for real files): a compaction. */
    void write(String text);

    /**
     * Adds {@code text} at the end, as dhcpd appends each binding change to dhcpd.leases: the cost is
     * the entry's, not the file's. A crash during an append leaves at most the last entry cut short,
     * which {@link LeaseDatabase#parse} reports and leaves out.
     */
    default void append(String text) {
        write(read() + text);
    }

    /** A lease file held in memory: it lives as long as the node object (the embedded runtime). */
    static LeaseFile inMemory() {
        return new LeaseFile() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public synchronized String read() {
                return text.toString();
            }

            @Override
            public synchronized void write(String t) {
                text.setLength(0);
                text.append(t);
                if (text.capacity() > 2 * text.length() + 4096) {
                    text.trimToSize(); // after a compaction, give back what the appends had grown
                }
            }

            @Override
            public synchronized void append(String t) {
                text.append(t);
            }
        };
    }

    /** A lease file on disk (a node running alone in its container keeps it on a volume). */
    static LeaseFile at(Path path) {
        return new LeaseFile() {
            @Override
            public String read() {
                try {
                    return Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void append(String text) {
                try {
                    Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void write(String text) {
                try {
                    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
                    Files.writeString(tmp, text, StandardCharsets.UTF_8);
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
