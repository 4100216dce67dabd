package dev.wirelab.netstack.program;

import java.util.Map;
import java.util.function.Supplier;

/** The HTTP programs every node has: a client like curl, a text "browser", and a static web server. */
final class HttpPrograms {

    static final Map<String, Supplier<Program>> BUILTIN = Map.of(
            "curl", Curl::new,
            "browse", Browse::new,
            "httpd", Httpd::new);

    private HttpPrograms() {
    }
}
