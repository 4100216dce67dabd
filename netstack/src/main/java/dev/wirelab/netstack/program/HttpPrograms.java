package dev.wirelab.netstack.program;

import java.util.Map;
import java.util.function.Supplier;

/** The HTTP programs every node has: a client like curl, a text "browser", a static web server and a load generator. */
final class HttpPrograms {

    static final Map<String, Supplier<Program>> BUILTIN = Map.of(
            "curl", Curl::new,
            "browse", Browse::new,
            "httpd", Httpd::new,
            "ab", Ab::new);

    private HttpPrograms() {
    }
}
