package dev.wirelab.netstack.http;

import dev.wirelab.netstack.socket.NodeFiles;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A static web site over a node's files: maps a request to the file to send, or to an error page.
 * GET and HEAD only (405 with Allow otherwise, RFC 9110 section 15.5.6); the path is
 * percent-decoded and its dot segments removed before it is joined to the root, so no request
 * reaches outside it; a directory serves its index.html, and a directory named without its
 * trailing slash is redirected (301) to it, as common servers do.
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
     */
    public record Reply(int status, String file, byte[] body, HttpFields headers) {
        public Reply {
            Objects.requireNonNull(body, "body");
            headers = headers.copy();
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

    private final Predicate<String> exists;
    private final String root;

    /** A site under {@code root}; {@code exists} tells whether a file is there (a stat, for a program). */
    public StaticSite(Predicate<String> exists, String root) {
        this.exists = exists;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    }

    /** A site over a node's files, looked at directly. */
    public StaticSite(NodeFiles files, String root) {
        this(files::exists, root);
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
            String location = Url.encode(path + "/", false);
            return new Reply(301, null, errorPage(301, "The document has moved to " + location + "."),
                    HttpFields.of("Location", location, "Content-Type", "text/html; charset=utf-8"));
        }
        return error(404, "The requested URL " + path + " was not found on this server.");
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
