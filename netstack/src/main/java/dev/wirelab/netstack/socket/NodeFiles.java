package dev.wirelab.netstack.socket;

import dev.wirelab.netstack.node.Node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node's small in-memory file system: absolute paths to bytes. Directories are not stored: a
 * directory is there while a file is under it ("/var/www" while "/var/www/index.html" is), and
 * "/" always is ({@link #isDirectory}, {@link #entries}). Tests and labs put files in
 * ({@code NodeFiles.of(node).put("/var/www/index.html", ...)}), programs read and write them
 * through {@code open/read/write/sendfile} and list directories with {@code open(O_DIRECTORY)} and
 * {@code getdents64}, and servers (an HTTP static site) serve them.
 * Thread-safe; contents are kept as immutable snapshots, so a reader holding one never sees a
 * later write.
 */
public final class NodeFiles {

    /** Largest file, like a small RLIMIT_FSIZE: a lab is not a disk. */
    public static final int MAX_FILE_SIZE = 256 * 1024 * 1024;

    private final TreeMap<String, byte[]> files = new TreeMap<>();

    /**
     * One entry of a directory, as getdents64 gives it: the name (no slash) and whether it is a
     * directory (d_type DT_DIR) rather than a regular file (DT_REG).
     */
    public record Entry(String name, boolean directory) {
    }

    /** The files of {@code node} (a node service), created empty on first use. */
    public static NodeFiles of(Node node) {
        return node.service(NodeFiles.class, n -> new NodeFiles());
    }

    /** Checks a path: absolute, no empty or dot segments, at most 4096 characters (PATH_MAX). */
    public static String normalize(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.length() > 4096) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        for (String seg : path.substring(1).split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("bad path segment in " + path);
            }
        }
        return path;
    }

    /** Creates or replaces a file (the bytes are copied). */
    public synchronized void put(String path, byte[] content) {
        if (content.length > MAX_FILE_SIZE) {
            throw new IllegalArgumentException(path + ": file larger than " + MAX_FILE_SIZE + " bytes");
        }
        files.put(normalize(path), content.clone());
    }

    public void put(String path, String utf8) {
        put(path, utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the file's bytes. */
    public synchronized Optional<byte[]> get(String path) {
        byte[] b = files.get(path);
        return b == null ? Optional.empty() : Optional.of(b.clone());
    }

    public synchronized boolean exists(String path) {
        return files.containsKey(path);
    }

    public synchronized long size(String path) {
        byte[] b = files.get(path);
        return b == null ? -1 : b.length;
    }

    public synchronized boolean delete(String path) {
        return files.remove(path) != null;
    }

    /** Whether {@code path} is a directory: "/", or the parent of some file ("/var/www" of "/var/www/a/b"). */
    public synchronized boolean isDirectory(String path) {
        if (path.equals("/")) {
            return true;
        }
        String prefix = path + "/";
        String next = files.ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }

    /**
     * The entries directly in directory {@code dir}, sorted by name: its files, and each
     * subdirectory once (a directory where a path is both a file and a directory). Empty when
     * {@code dir} is not a directory.
     */
    public synchronized List<Entry> entries(String dir) {
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        TreeMap<String, Boolean> names = new TreeMap<>();
        for (String path : files.tailMap(prefix, true).keySet()) {
            if (!path.startsWith(prefix)) {
                break;
            }
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                names.putIfAbsent(rest, false);
            } else {
                names.put(rest.substring(0, slash), true);
            }
        }
        List<Entry> out = new ArrayList<>(names.size());
        names.forEach((name, directory) -> out.add(new Entry(name, directory)));
        return Collections.unmodifiableList(out);
    }

    /** Every path, sorted. */
    public synchronized List<String> list() {
        return Collections.unmodifiableList(List.copyOf(files.keySet()));
    }

    // ---- kernel side: snapshots shared without copying (sendfile reads straight from them)

    /** The current contents, not copied: callers must not modify it. */
    synchronized byte[] snapshot(String path) {
        return files.get(path);
    }

    /** Writes {@code len} bytes at {@code position} (growing the file), returning the new snapshot. */
    synchronized byte[] write(String path, long position, byte[] src, int off, int len) {
        byte[] old = files.getOrDefault(path, new byte[0]);
        long end = position + len;
        if (end > MAX_FILE_SIZE) {
            return null;
        }
        byte[] next = Arrays.copyOf(old, (int) Math.max(old.length, end));
        System.arraycopy(src, off, next, (int) position, len);
        files.put(path, next);
        return next;
    }

    synchronized void truncate(String path) {
        files.put(path, new byte[0]);
    }
}
