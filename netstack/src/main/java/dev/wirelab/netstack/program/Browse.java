package dev.wirelab.netstack.program;

import dev.wirelab.netstack.http.HtmlPage;
import dev.wirelab.netstack.http.HttpFields;
import dev.wirelab.netstack.http.HttpResponse;
import dev.wirelab.netstack.http.Rendering;
import dev.wirelab.netstack.http.Url;
import dev.wirelab.netstack.socket.Process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code browse URL}: what a web browser does with an address, step by step, in text. It parses
 * the URL (a bare name means http://name/), builds the request a browser sends, resolves the
 * host with getaddrinfo, connects, fetches, follows redirects, and shows what the Content-Type
 * says to show: for HTML the title and the visible text, for an image its type, size and
 * dimensions, for text the text, else a download. With {@code -r} it also loads the page's images
 * and style sheets from the same server, over the same kept-alive connection, as browsers do.
 * Each step is a trace event (layer "http", and "app" for the rendering); {@code -v} prints
 * curl-like protocol lines too. Exit status as curl's (6 could not resolve, 7 could not connect...).
 */
final class Browse extends SyscallProgram {

    static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Wirelab/1.0";
    private static final int MAX_REDIRECTS = 20;

    @Override
    protected int main(Process p) throws Exception {
        NetArgs a;
        try {
            a = NetArgs.parse("browse", p.args(), "vrm:", Set.of("timeout"), Set.of("resources", "verbose"));
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            p.println("usage: browse [-v] [-r] [-m seconds] URL");
            return 2;
        }
        if (a.operands().size() != 1) {
            p.println("usage: browse [-v] [-r] [-m seconds] URL");
            return 2;
        }
        boolean verbose = a.shorts.has('v') || a.has("verbose");
        boolean resources = a.shorts.has('r') || a.has("resources");
        long timeout = 30_000_000_000L;
        try {
            if (a.shorts.has('m')) {
                timeout = NetArgs.seconds("browse", a.shorts.get('m'));
            } else if (a.has("timeout")) {
                timeout = NetArgs.seconds("browse", a.get("timeout"));
            }
        } catch (GetOpt.UsageException e) {
            p.println(e.getMessage());
            return 2;
        }
        String text = a.operands().get(0);
        Url url;
        try {
            url = Url.parse(text);
        } catch (Url.UrlException e) {
            p.println("browse: " + text + ": " + e.getMessage());
            return e.curlCode();
        }
        p.event("http", "url_parsed", "url", url.toString(), "scheme", url.scheme(), "host", url.host(),
                "port", url.port(), "path", url.target());
        p.println("browse: " + url + " (host " + url.host() + ", port " + url.port() + ", path " + url.target() + ")");
        long t0 = p.now();
        try (HttpClient client = new HttpClient(p, verbose ? p::println : null)) {
            client.maxTime(timeout);
            HttpFields h = HttpFields.of("Accept", "text/html,application/xhtml+xml,*/*;q=0.8",
                    "Accept-Language", "en");
            HttpClient.Exchange x;
            int redirects = 0;
            while (true) {
                x = client.exchange(url, "GET", h, null, USER_AGENT);
                HttpResponse r = x.response();
                String location = r.headers().get("Location").orElse(null);
                if (r.status() / 100 != 3 || location == null || r.status() == 304) {
                    break;
                }
                if (++redirects > MAX_REDIRECTS) {
                    p.println("browse: too many redirects");
                    return 47;
                }
                Url next = url.resolve(location);
                p.println("browse: " + r.status() + " " + r.reason() + " -> " + next);
                p.event("app", "redirect", "status", r.status(), "from", url.toString(), "to", next.toString());
                url = next;
            }
            HttpResponse r = x.response();
            String ms = String.format(Locale.ROOT, "%.1f", (p.now() - t0) / 1e6);
            p.println("browse: " + r.statusLine() + " from " + x.remote() + " in " + ms + " ms");
            String ct = r.headers().get("Content-Type").orElse("(none)");
            p.println("browse: Content-Type: " + ct + ", " + r.body().length + " bytes ("
                    + framing(r) + ")");
            Rendering view = Rendering.of(r);
            show(p, view);
            List<String> loaded = new ArrayList<>();
            if (resources && view.kind().equals("page")) {
                loaded = subresources(p, client, url, r);
            }
            p.event("app", "rendered", "url", url.toString(), "status", r.status(), "content_type", view.mediaType(),
                    "kind", view.kind(), "title", view.title(), "bytes", r.body().length,
                    "lines", view.lines().size(), "resources", loaded.size());
            return r.status() >= 400 ? 22 : 0;
        } catch (HttpClient.Failure f) {
            p.println("browse: (" + f.code + ") " + f.getMessage());
            p.event("app", "failed", "url", url.toString(), "code", f.code, "error", f.getMessage());
            return f.code;
        }
    }

    private static String framing(HttpResponse r) {
        return switch (r.framing()) {
            case LENGTH -> "Content-Length";
            case CHUNKED -> "chunked";
            case CLOSE -> "until close";
            case NONE -> "no body";
        };
    }

    private static void show(Process p, Rendering view) {
        switch (view.kind()) {
            case "page" -> {
                p.println("page title: " + (view.title().isEmpty() ? "(none)" : view.title()));
                for (String l : view.lines()) {
                    p.println("  | " + l);
                }
            }
            case "image" -> p.println("image: " + view.lines().get(0));
            case "text" -> {
                p.println("text (" + view.mediaType() + "):");
                for (String l : view.lines()) {
                    p.println("  | " + l);
                }
            }
            default -> p.println(view.kind() + ": " + view.lines().get(0));
        }
    }

    /** The page's images and style sheets from the same origin, over the kept connection. */
    private static List<String> subresources(Process p, HttpClient client, Url page, HttpResponse r) throws Exception {
        HtmlPage html = HtmlPage.parse(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        Set<String> refs = new LinkedHashSet<>(html.images());
        for (String l : stylesheets(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            refs.add(l);
        }
        List<String> loaded = new ArrayList<>();
        for (String ref : refs) {
            Url u;
            try {
                u = page.resolve(ref);
            } catch (Url.UrlException e) {
                continue;
            }
            if (!u.host().equals(page.host()) || u.port() != page.port()) {
                p.println("resource " + ref + ": other origin, not loaded");
                continue;
            }
            HttpResponse res = client.exchange(u, "GET", HttpFields.of("Accept", "*/*"), null, USER_AGENT).response();
            Rendering v = Rendering.of(res);
            p.println("resource " + u.target() + ": " + res.status() + " " + res.reason() + ", " + v.lines().get(0));
            loaded.add(u.target());
        }
        return loaded;
    }

    /** href of each {@code <link rel="stylesheet">}: a few lines, as HtmlPage keeps only links and images. */
    static List<String> stylesheets(String html) {
        List<String> out = new ArrayList<>();
        String lower = html.toLowerCase(Locale.ROOT);
        int i = 0;
        while ((i = lower.indexOf("<link", i)) >= 0) {
            int end = lower.indexOf('>', i);
            if (end < 0) {
                break;
            }
            String tag = html.substring(i, end);
            if (tag.toLowerCase(Locale.ROOT).contains("stylesheet")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("href\\s*=\\s*[\"']?([^\"'\\s>]+)").matcher(tag);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
            i = end;
        }
        return out;
    }
}
