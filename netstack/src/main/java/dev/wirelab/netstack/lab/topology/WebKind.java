package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.program.Shell;
import dev.wirelab.netstack.socket.NodeFiles;
import tools.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kind {@code web}: a host that runs {@code httpd} from boot, serving a static site from its files.
 * <pre>
 * web:
 *   kind: web
 *   interfaces: { eth0: { segment: dc, address: 93.184.216.34/24 } }
 *   routes: [ { to: default, via: 93.184.216.1 } ]
 *   httpd: "--mode epoll -k 5"          # httpd's options (default: none: single mode, port 80, /var/www)
 *   files:                              # node files (default: a small built-in site under the root)
 *     /var/www/index.html: |
 *       &lt;!DOCTYPE html&gt;&lt;title&gt;Hello&lt;/title&gt;&lt;p&gt;Hi.
 * </pre>
 * File contents are text (UTF-8). Without {@code files} the node gets the built-in site
 * ({@code dev.wirelab.netstack.http.DefaultSite}): a page, a style sheet, a PNG, a text file.
 */
public final class WebKind implements NodeKind {

    /**
     * @param httpd httpd's command-line options ("" for the defaults)
     * @param files node files: absolute path to UTF-8 text, in file order
     */
    public record Settings(String httpd, Map<String, String> files, ResolverSpec resolver)
            implements KindSettings, ResolverSpec.Holder {
        public Settings {
            httpd = httpd == null ? "" : httpd;
            files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        }

        /** The document root the options name (-r), else /var/www. */
        public String root() {
            List<String> words = Shell.split(httpd);
            for (int i = 0; i < words.size() - 1; i++) {
                if (words.get(i).equals("-r")) {
                    return words.get(i + 1);
                }
            }
            return "/var/www";
        }
    }

    private static final Set<String> VALUED = Set.of("-p", "-r", "-k", "-b", "--mode", "--workers");
    private static final Set<String> MODES = Set.of("single", "threads", "reuseport", "epoll", "uring");

    @Override
    public String name() {
        return "web";
    }

    @Override
    public boolean defaultForwarding() {
        return false;
    }

    @Override
    public List<String> extraFields() {
        return List.of("httpd", "files", ResolverSpec.FIELD);
    }

    @Override
    public KindSettings readSettings(String nodeName, Fields f) {
        String httpd = f.string("httpd", false, "httpd's options, e.g. \"--mode epoll -k 5\"");
        if (httpd != null) {
            String problem = checkOptions(httpd);
            if (problem != null) {
                f.problems().add(f.get("httpd", false), problem);
                httpd = null;
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        SourceNode.MapNode fm = f.mapping("files", false, "a mapping of absolute file path to its text");
        if (fm != null) {
            for (SourceNode.Entry e : fm.entries().values()) {
                String text = f.asString(e.value(), "the file's text (a YAML block: |)");
                if (text == null) {
                    continue;
                }
                try {
                    NodeFiles.normalize(e.key());
                } catch (IllegalArgumentException ex) {
                    f.problems().add(e.value(), "'" + e.key() + "' is not an absolute file path without empty, '.'"
                            + " or '..' segments");
                    continue;
                }
                files.put(e.key(), text);
            }
        }
        return new Settings(httpd, files, ResolverSpec.read(nodeName, f));
    }

    /** null when httpd would accept the options, else what is wrong with them. */
    static String checkOptions(String options) {
        List<String> words;
        try {
            words = Shell.split(options);
        } catch (IllegalArgumentException e) {
            return "httpd options: " + e.getMessage();
        }
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String value = null;
            String name = w;
            if (w.startsWith("--") && w.contains("=")) {
                name = w.substring(0, w.indexOf('='));
                value = w.substring(w.indexOf('=') + 1);
            }
            if (name.equals("-q") || w.equals("--autoindex")) {
                continue;
            }
            if (!VALUED.contains(name)) {
                return "httpd option '" + w + "' is unknown (options: -p port, -r root, -k seconds, -b backlog, -q,"
                        + " --autoindex, --mode, --workers)" + Names.didYouMean(name, List.copyOf(VALUED));
            }
            if (value == null) {
                if (i + 1 >= words.size()) {
                    return "httpd option '" + w + "' needs a value";
                }
                value = words.get(++i);
            }
            String bad = switch (name) {
                case "-p" -> value.matches("[0-9]{1,5}") && Integer.parseInt(value) >= 1 && Integer.parseInt(value) <= 65535
                        ? null : "port '" + value + "' is not 1..65535";
                case "-r" -> value.startsWith("/") ? null : "root '" + value + "' is not an absolute path";
                case "-k" -> value.matches("[0-9]+(\\.[0-9]+)?") ? null : "keep-alive timeout '" + value
                        + "' is not a number of seconds";
                case "-b" -> value.matches("[0-9]{1,5}") ? null : "backlog '" + value + "' is not a number";
                case "--workers" -> value.matches("[0-9]{1,3}") && Integer.parseInt(value) >= 1
                        && Integer.parseInt(value) <= 256 ? null : "workers '" + value + "' is not 1..256";
                default -> MODES.contains(value) ? null : "mode '" + value + "' is unknown (modes: single, threads,"
                        + " reuseport, epoll, uring)" + Names.didYouMean(value, List.copyOf(MODES));
            };
            if (bad != null) {
                return "httpd options: " + bad;
            }
        }
        return null;
    }

    @Override
    public void writeSettings(KindSettings settings, ObjectNode node) {
        if (!(settings instanceof Settings s)) {
            return;
        }
        if (!s.httpd().isEmpty()) {
            node.put("httpd", s.httpd());
        }
        if (!s.files().isEmpty()) {
            ObjectNode o = node.putObject("files");
            s.files().forEach(o::put);
        }
        ResolverSpec.write(s.resolver(), node);
    }

    @Override
    public String toString() {
        return "NodeKind[web]";
    }
}
