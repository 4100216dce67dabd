package dev.wirelab.netstack.dhcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a DHCP server keeps its leases between runs (dhcpd's /var/lib/dhcp/dhcpd.leases): part of the
 * node's state, so stopping and starting the node keeps every binding. The text format is
 * {@link LeaseDatabase#write}'s.
 */
public interface LeaseFile {

    /** The file's text, or "" when there is none yet. */
    String read();

    /** Replaces the file's text (atomically for real files). */
    void write(String text);

    /** A lease file held in memory: it lives as long as the node object (the embedded runtime). */
    static LeaseFile inMemory() {
        return new LeaseFile() {
            private volatile String text = "";

            @Override
            public String read() {
                return text;
            }

            @Override
            public void write(String t) {
                text = t;
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
