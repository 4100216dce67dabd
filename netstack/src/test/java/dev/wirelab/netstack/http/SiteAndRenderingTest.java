package dev.wirelab.netstack.http;

import dev.wirelab.netstack.http.HttpMessage.Framing;
import dev.wirelab.netstack.socket.NodeFiles;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** StaticSite's mapping of requests to files, media types, and what a browser would show. */
class SiteAndRenderingTest {

    static final Set<String> FILES = new HashSet<>(Set.of("/var/www/index.html", "/var/www/a b.txt",
            "/var/www/docs/index.html", "/var/www/logo.png", "/etc/passwd"));
    static final StaticSite SITE = new StaticSite(FILES::contains, "/var/www/");

    static StaticSite.Reply get(String target) {
        return SITE.answer(HttpRequest.of("GET", target, HttpFields.of("Host", "h")));
    }

    @Test
    void mapsPathsToFiles() {
        assertThat(get("/").file()).isEqualTo("/var/www/index.html");
        assertThat(get("/").headers().get("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(get("/a%20b.txt").file()).isEqualTo("/var/www/a b.txt");
        assertThat(get("/logo.png").headers().get("Content-Type")).contains("image/png");
        assertThat(get("/docs/").file()).isEqualTo("/var/www/docs/index.html");
        assertThat(get("/index.html?x=1").file()).isEqualTo("/var/www/index.html");
        assertThat(get("http://h/logo.png").file()).isEqualTo("/var/www/logo.png"); // absolute-form
        StaticSite.Reply dir = get("/docs");
        assertThat(dir.status()).isEqualTo(301);
        assertThat(dir.headers().get("Location")).contains("/docs/");
    }

    @Test
    void autoindexListsADirectoryWithoutIndexHtml() {
        NodeFiles files = new NodeFiles();
        files.put("/var/www/index.html", "home");
        files.put("/var/www/pub/a.txt", "a");
        files.put("/var/www/pub/docs/index.html", "docs");
        files.put("/etc/passwd", "root");
        StaticSite on = new StaticSite(files, "/var/www", true);
        StaticSite off = new StaticSite(files, "/var/www", false);
        StaticSite.Reply pub = on.answer(HttpRequest.of("GET", "/pub/", HttpFields.of("Host", "h")));
        assertThat(pub.status()).isEqualTo(200);
        assertThat(pub.file()).isNull();
        assertThat(pub.index()).isEqualTo(new StaticSite.Index("/var/www/pub", "/pub/"));
        assertThat(pub.headers().get("Content-Type")).contains("text/html; charset=utf-8");
        StaticSite.Reply bare = on.answer(HttpRequest.of("GET", "/pub", HttpFields.of("Host", "h")));
        assertThat(bare.status()).isEqualTo(301);
        assertThat(bare.headers().get("Location")).contains("/pub/");
        // index.html wins; nothing outside the root is listed; off, a directory is 404
        assertThat(on.answer(HttpRequest.of("GET", "/", HttpFields.of("Host", "h"))).file()).isEqualTo("/var/www/index.html");
        assertThat(on.answer(HttpRequest.of("GET", "/pub/docs/", HttpFields.of("Host", "h"))).index()).isNull();
        assertThat(on.answer(HttpRequest.of("GET", "/../etc/", HttpFields.of("Host", "h"))).status()).isEqualTo(404);
        assertThat(off.answer(HttpRequest.of("GET", "/pub/", HttpFields.of("Host", "h"))).status()).isEqualTo(404);
        assertThat(off.answer(HttpRequest.of("GET", "/pub", HttpFields.of("Host", "h"))).status()).isEqualTo(404);
    }

    @Test
    void aListingIsAHeadEntriesEightAtATimeAndATail() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            names.add(String.format("f%02d", i));
        }
        names.add("\"q\".txt");
        names.add("z/");
        List<String> parts = StaticSite.listing("/", names).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(parts).hasSize(5); // head, 8 + 8 + 3 entries, tail
        assertThat(parts.get(0)).endsWith("<h1>Index of /</h1><hr><pre>"); // no "../" at the root
        assertThat(parts.get(1)).startsWith("<a href=\"z/\">z/</a>\n<a href=\"%22q%22.txt\">&quot;q&quot;.txt</a>\n");
        assertThat(parts.get(3).lines()).hasSize(3).last().isEqualTo("<a href=\"f16\">f16</a>");
        assertThat(parts.get(4)).isEqualTo("</pre><hr></body>\n</html>\n");
    }

    @Test
    void neverLeavesTheRoot() {
        assertThat(get("/../../etc/passwd").status()).isEqualTo(404);
        assertThat(get("/%2e%2e/%2e%2e/etc/passwd").status()).isEqualTo(404);
        assertThat(get("/..%2f..%2fetc/passwd").status()).isEqualTo(404);
        assertThat(get("/%00").status()).isEqualTo(400);
        assertThat(get("//index.html").status()).isEqualTo(404);
    }

    @Test
    void errorsHaveSmallHtmlPages() {
        StaticSite.Reply missing = get("/nope.html");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("<title>404 Not Found</title>")
                .contains("The requested URL /nope.html was not found on this server.");
        StaticSite.Reply xss = get("/%3Cscript%3E");
        assertThat(new String(xss.body(), StandardCharsets.UTF_8)).contains("/&lt;script&gt;").doesNotContain("<script>");
        StaticSite.Reply post = SITE.answer(HttpRequest.of("DELETE", "/", HttpFields.of("Host", "h")));
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers().get("Allow")).contains("GET, HEAD");
    }

    @Test
    void mediaTypes() {
        assertThat(MediaTypes.forPath("/a/b.CSS")).isEqualTo("text/css; charset=utf-8");
        assertThat(MediaTypes.forPath("/a.b/noext")).isEqualTo("application/octet-stream");
        assertThat(MediaTypes.forPath("/.hidden")).isEqualTo("application/octet-stream");
        assertThat(MediaTypes.essence("Text/HTML ; charset=UTF-8")).isEqualTo("text/html");
        assertThat(MediaTypes.charset("text/html; charset=\"iso-8859-1\"")).isEqualTo("iso-8859-1");
    }

    @Test
    void htmlShowsTitleTextLinksAndImages() {
        HtmlPage p = HtmlPage.parse("""
                <!DOCTYPE html><html><head><title> A &amp; B </title><style>p{x:1}</style>
                <script>var x = "<p>not shown</p>";</script></head>
                <body><h1>Head&#x2d;line</h1><!-- hidden --><p>One
                   two &lt;three&gt;</p><p><a href="/x">link</a> <img src="i.png" alt="pic"></p>
                <title>second title is text-less</title>3 &lt; 4 <b>bold</body></html>""");
        assertThat(p.title()).isEqualTo("A & B");
        assertThat(p.lines()).containsExactly("Head-line", "One two <three>", "link [pic]", "3 < 4 bold");
        assertThat(p.links()).containsExactly("/x");
        assertThat(p.images()).containsExactly("i.png");
        assertThat(HtmlPage.parse("<p>unclosed <a href='x").lines()).containsExactly("unclosed");
        assertThat(HtmlPage.parse("a < b and <3").lines()).containsExactly("a < b and <3");
    }

    static HttpResponse response(String type, byte[] body) {
        HttpFields h = type == null ? new HttpFields() : HttpFields.of("Content-Type", type);
        return new HttpResponse("HTTP/1.1", 200, "OK", h, body, new HttpFields(), Framing.LENGTH);
    }

    @Test
    void contentTypeDecidesWhatIsShown() {
        Rendering page = Rendering.of(response("text/html; charset=utf-8",
                "<title>T</title><p>Hello</p>".getBytes(StandardCharsets.UTF_8)));
        assertThat(page.kind()).isEqualTo("page");
        assertThat(page.title()).isEqualTo("T");
        assertThat(page.lines()).containsExactly("Hello");
        Rendering png = Rendering.of(response("image/png", DefaultSite.png(32, 16)));
        assertThat(png.kind()).isEqualTo("image");
        assertThat(png.lines()).containsExactly("image/png, " + DefaultSite.png(32, 16).length + " bytes, 32x16 pixels");
        Rendering text = Rendering.of(response("text/plain", "a\nb\n".getBytes()));
        assertThat(text.lines()).containsExactly("a", "b");
        Rendering bin = Rendering.of(response("application/zip", new byte[] {1, 2, 3}));
        assertThat(bin.kind()).isEqualTo("download");
        assertThat(bin.lines()).containsExactly("application/zip, 3 bytes: not displayed, offered as a download");
        // the same HTML without a Content-Type is sniffed as HTML
        assertThat(Rendering.of(response(null, "<!DOCTYPE html><title>S</title>".getBytes())).title()).isEqualTo("S");
        assertThat(Rendering.of(response("text/html", new byte[0])).kind()).isEqualTo("empty");
        // Latin-1 declared, Latin-1 decoded
        assertThat(Rendering.of(response("text/plain; charset=iso-8859-1", new byte[] {(byte) 0xe9})).lines())
                .containsExactly("é");
    }

    @Test
    void theDefaultSiteIsRealPngAndHtml() {
        byte[] png = DefaultSite.files().get("/logo.png");
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
        assertThat(Rendering.imageSize(png)).isEqualTo("32x32");
        assertThat(HtmlPage.parse(new String(DefaultSite.files().get("/index.html"), StandardCharsets.UTF_8)).title())
                .isEqualTo("Example Domain");
        assertThat(DefaultSite.files().keySet()).contains("/index.html", "/about/index.html", "/hello.txt", "/data.json");
        assertThat(List.copyOf(DefaultSite.files().keySet())).allMatch(p -> p.startsWith("/"));
    }
}
