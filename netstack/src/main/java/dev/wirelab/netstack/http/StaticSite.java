package dev.wirelab.netstack.http;

import dev.wirelab.netstack.socket.NodeFiles;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A static web site over a node's files: maps a request to the file to send, or to an error page.
 * GET and HEAD only (405 with Allow otherwise, RFC 9110 section 15.5.6); the path is
 * percent-decoded and its dot segments removed before it is joined to the root, so no request
 * reaches outside it; a directory serves its index.html, and a directory named without its
 * trailing slash is redirected (301) to it, as common servers do.
 *
 * <p>With autoindex on (nginx's {@code autoindex on}), a directory without index.html is answered
 * with a listing of it ({@link Reply#index()}: the caller reads the directory and renders it with
 * {@link #listing}); off, such a directory is 404 as any missing file.
 */
public final class StaticSite {

    /** The document root httpd serves unless told otherwise. */
    public static final String DEFAULT_ROOT = "/var/www";

    /**
     * What to answer.
     *
     * @param file    the node file to send as the body (200), or null for an inline body
     * @param body    the inline body when {@code file} is null (an error page, empty for 301)
     * @param headers fields beyond those every response gets (Content-Type, Location, Allow)
     * @param index   the directory to list as the body (200, autoindex), or null
     */
    public record Reply(int status, String file, byte[] body, HttpFields headers, Index index) {
        public Reply {
            Objects.requireNonNull(body, "body");
            headers = headers.copy();
        }

        public Reply(int status, String file, byte[] body, HttpFields headers) {
            this(status, file, body, headers, null);
        }

        @Override
        public HttpFields headers() {
            return headers.copy();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /**
     * A directory listing to send: the node directory to read and the request's path ("/docs/",
     * decoded, ending with a slash) that names it in the page.
     */
    public record Index(String directory, String path) {
    }

    /** Entry lines per chunk of a listing ({@link #listing}). */
    public static final int ENTRIES_PER_PART = 8;

    private final Predicate<String> exists;
    private final Predicate<String> isDirectory;
    private final boolean autoindex;
    private final String root;

    /** A site under {@code root}; {@code exists} tells whether a file is there (a stat, for a program). */
    public StaticSite(Predicate<String> exists, String root) {
        this(exists, path -> false, root, false);
    }

    /**
     * A site under {@code root} that lists directories without index.html when {@code autoindex};
     * {@code isDirectory} tells whether a directory is there (an open with O_DIRECTORY, for a program).
     */
    public StaticSite(Predicate<String> exists, Predicate<String> isDirectory, String root, boolean autoindex) {
        this.exists = exists;
        this.isDirectory = isDirectory;
        this.autoindex = autoindex;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    }

    /** A site over a node's files, looked at directly. */
    public StaticSite(NodeFiles files, String root) {
        this(files::exists, root);
    }

    /** A site over a node's files, looked at directly, with autoindex on or off. */
    public StaticSite(NodeFiles files, String root, boolean autoindex) {
        this(files::exists, files::isDirectory, root, autoindex);
    }

    public String root() {
        return root;
    }

    public Reply answer(HttpRequest request) {
        String m = request.method();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            HttpFields h = HttpFields.of("Allow", "GET, HEAD", "Content-Type", "text/html; charset=utf-8");
            return new Reply(405, null, errorPage(405, "The method " + m + " is not allowed for this URL."), h);
        }
        String raw = request.path();
        if (!raw.startsWith("/")) {
            return error(400, "The request-target is not a path.");
        }
        String decoded = Url.decode(raw);
        if (decoded == null) {
            return error(400, "The path has a broken percent-encoding.");
        }
        String path = Url.removeDotSegments(decoded);
        String file = root + (path.endsWith("/") ? path + "index.html" : path);
        if (isFile(file)) {
            return new Reply(200, file, new byte[0], HttpFields.of("Content-Type", MediaTypes.forPath(file)));
        }
        if (!path.endsWith("/") && isFile(root + path + "/index.html")) {
            return redirectToDirectory(path);
        }
        if (autoindex) {
            String dir = root + path;
            if (dir.length() > 1 && dir.endsWith("/")) {
                dir = dir.substring(0, dir.length() - 1);
            }
            if (isDir(dir)) {
                if (!path.endsWith("/")) {
                    return redirectToDirectory(path); // nginx's autoindex redirects too
                }
                return new Reply(200, null, new byte[0], HttpFields.of("Content-Type", "text/html; charset=utf-8"),
                        new Index(dir, path));
            }
        }
        return error(404, "The requested URL " + path + " was not found on this server.");
    }

    private static Reply redirectToDirectory(String path) {
        String location = Url.encode(path + "/", false);
        return new Reply(301, null, errorPage(301, "The document has moved to " + location + "."),
                HttpFields.of("Location", location, "Content-Type", "text/html; charset=utf-8"));
    }

    private boolean isDir(String path) {
        if (!path.equals("/")) {
            try {
                NodeFiles.normalize(path);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return isDirectory.test(path);
    }

    /**
     * An autoindex page for directory {@code path} (as the request named it, decoded, with its
     * trailing slash) holding {@code names} (subdirectories with a trailing slash), in the manner of
     * nginx's autoindex: subdirectories first, then files, each sorted by name; a "../" line but
     * at the root; each name HTML-escaped as the link text and percent-encoded as the href.
     * Returned as parts to send as one chunk each: the head (up to the "../" line), the entry lines
     * {@value #ENTRIES_PER_PART} at a time, and the tail. None is empty.
     */
    public static List<byte[]> listing(String path, List<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparing((String n) -> !n.endsWith("/")).thenComparing(Comparator.naturalOrder()));
        List<byte[]> parts = new ArrayList<>();
        String title = "Index of " + escape(path);
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html>\n<head><title>").append(title)
                .append("</title></head>\n<body>\n<h1>").append(title).append("</h1><hr><pre>");
        if (!path.equals("/")) {
            b.append("<a href=\"../\">../</a>\n");
        }
        parts.add(utf8(b));
        for (int i = 0; i < sorted.size(); i += ENTRIES_PER_PART) {
            b.setLength(0);
            for (String name : sorted.subList(i, Math.min(sorted.size(), i + ENTRIES_PER_PART))) {
                boolean dir = name.endsWith("/");
                String bare = dir ? name.substring(0, name.length() - 1) : name;
                String href = Url.encodeSegment(bare) + (dir ? "/" : "");
                b.append("<a href=\"").append(href).append("\">").append(escape(name)).append("</a>\n");
            }
            parts.add(utf8(b));
        }
        parts.add(utf8(new StringBuilder("</pre><hr></body>\n</html>\n")));
        return parts;
    }

    private static byte[] utf8(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private boolean isFile(String path) {
        try {
            NodeFiles.normalize(path);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return exists.test(path);
    }

    private static Reply error(int status, String message) {
        return new Reply(status, null, errorPage(status, message), HttpFields.of("Content-Type", "text/html; charset=utf-8"));
    }

    /** A small HTML error page, like the ones common servers send. */
    public static byte[] errorPage(int status, String message) {
        String title = status + " " + HttpWriter.reason(status);
        String html = "<!DOCTYPE html>\n<html>\n<head><title>" + escape(title) + "</title></head>\n<body>\n<h1>"
                + escape(HttpWriter.reason(status)) + "</h1>\n<p>" + escape(message) + "</p>\n<hr>\n"
                + "<address>wirelab-httpd</address>\n</body>\n</html>\n";
        return html.getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
