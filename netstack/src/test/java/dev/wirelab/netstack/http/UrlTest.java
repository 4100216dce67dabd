package dev.wirelab.netstack.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UrlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://www.example.com/                  | www.example.com | 80   | /            | www.example.com",
        "www.example.com                          | www.example.com | 80   | /            | www.example.com",
        "HTTP://WWW.Example.COM:8080/A/b?x=1#frag | www.example.com | 8080 | /A/b?x=1     | www.example.com:8080",
        "http://h/a/./b/../../c/                  | h               | 80   | /c/          | h",
        "http://h/a b?q=é                         | h               | 80   | /a%20b?q=%C3%A9 | h",
        "http://10.0.0.1:80                       | 10.0.0.1        | 80   | /            | 10.0.0.1",
        "http://user:pw@h:81/x                    | h               | 81   | /x           | h:81",
        "http://h?only=query                      | h               | 80   | /?only=query | h",
    })
    void parsesAsCurlDoes(String text, String host, int port, String target, String hostHeader) {
        Url u = Url.parse(text);
        assertThat(u.host()).isEqualTo(host);
        assertThat(u.port()).isEqualTo(port);
        assertThat(u.target()).isEqualTo(target);
        assertThat(u.hostHeader()).isEqualTo(hostHeader);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://www.example.com/ | 1 | Protocol \"https\" not supported or disabled in libcurl",
        "ftp://x/                 | 1 | Protocol \"ftp\" not supported or disabled in libcurl",
        "http://h:99999/          | 3 | URL rejected: Port number was not a decimal number between 0 and 65535",
        "http://h:8x/             | 3 | URL rejected: Port number was not a decimal number between 0 and 65535",
        "http:///path             | 3 | URL rejected: No host part in the URL",
        "http://bad^host/         | 3 | URL rejected: Bad hostname",
        "1http://x/               | 3 | URL rejected: Bad scheme",
    })
    void rejectsWithCurlsCode(String text, int code, String message) {
        assertThatThrownBy(() -> Url.parse(text)).isInstanceOfSatisfying(Url.UrlException.class, e -> {
            assertThat(e.curlCode()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void resolvesReferencesAndDotSegments() {
        Url base = Url.parse("http://h:8080/a/b/page.html?x");
        assertThat(base.resolve("img/logo.png").toString()).isEqualTo("http://h:8080/a/b/img/logo.png");
        assertThat(base.resolve("/top").toString()).isEqualTo("http://h:8080/top");
        assertThat(base.resolve("../up").toString()).isEqualTo("http://h:8080/a/up");
        assertThat(base.resolve("//other/x").toString()).isEqualTo("http://other/x");
        assertThat(base.resolve("http://third:81/").toString()).isEqualTo("http://third:81/");
        assertThat(base.resolve("?y=2").toString()).isEqualTo("http://h:8080/a/b/page.html?y=2");
        // RFC 3986 section 5.4.2's abnormal examples
        assertThat(Url.removeDotSegments("/a/b/c/./../../g")).isEqualTo("/a/g");
        assertThat(Url.removeDotSegments("/../../../g")).isEqualTo("/g");
        assertThat(Url.removeDotSegments("/a/..")).isEqualTo("/");
        assertThat(base.fileName()).isEqualTo("page.html");
        assertThat(Url.parse("http://h/").fileName()).isEqualTo("index.html");
    }

    @Test
    void decodesPercentEscapes() {
        assertThat(Url.decode("/a%20b/%C3%A9")).isEqualTo("/a b/é");
        assertThat(Url.decode("/%zz")).isNull();
        assertThat(Url.decode("/%2")).isNull();
        assertThat(Url.decode("/%00")).isNull();
    }
}
