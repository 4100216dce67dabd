package dev.wirelab.control.security;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The API's front door (issue 11): no web page of another site and no stranger drives a lab.
 *
 * <ol>
 *   <li><b>Host</b>: the Host header must name this server: localhost, {@code *.localhost}, an IP
 *       literal, its own host names when it listens beyond loopback, or {@code allowed-hosts}.
 *       A DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its own name: 403.</li>
 *   <li><b>Content type</b>: POST, PUT and PATCH need {@code application/json} or a YAML type,
 *       with or without a body. Those are not CORS-safelisted (Fetch standard, "CORS-safelisted
 *       request-header"), so a page of another site cannot send them without a preflight, which
 *       this server never grants; the "simple" requests it could send (text/plain, forms, no body)
 *       get 415.</li>
 *   <li><b>Origin</b>: a state-changing request that carries an Origin (every browser sends one
 *       cross-origin, RFC 6454 section 7) must come from this server's own origin or
 *       {@code allowed-origins}; {@code Sec-Fetch-Site: cross-site} likewise: else 403.</li>
 *   <li><b>Token</b>: when on, every request but {@code GET /actuator/health} (status only) needs
 *       the token: {@code Authorization: Bearer}, the {@code wirelab_token} cookie (SameSite=Strict,
 *       set by opening any page once with {@code ?token=}, for browsers and EventSource), else 401.</li>
 * </ol>
 * An authenticated caller (or, with the token off, a caller on loopback) is the exchange's
 * principal and in the reactive security context, which is what lets actuator show health details
 * ({@code when-authorized}).
 */
public final class ApiGuard implements WebFilter {

    static final String COOKIE = "wirelab_token";
    private static final Set<HttpMethod> STATE_CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);
    private static final Set<HttpMethod> WITH_CONTENT = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
    private static final List<MediaType> ACCEPTED = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_YAML,
            MediaType.parseMediaType("application/x-yaml"), MediaType.parseMediaType("text/yaml"));
    private static final Principal LOCAL = () -> "local";
    private static final Principal TOKEN = () -> "token";

    private final byte[] token;
    private final boolean loopbackOnly;
    private final Set<String> hostNames;
    private final boolean anyHost;
    private final Set<String> allowedOrigins;
    private final JsonMapper json = JsonMapper.builder().build();
    /** Bodies above this many bytes are refused up front (0: no limit here). */
    private long maxBody;
    /** A refused body larger than this is not read to its end: the connection closes instead. */
    private static final long DRAIN_AT_MOST = 64L << 20;

    /**
     * @param token          the API token, or null when the token is off
     * @param loopbackOnly   whether the server listens on loopback only
     * @param hostNames      names besides localhost and IP literals (lower case); "*" for any
     * @param allowedOrigins origins besides the server's own
     */
    public ApiGuard(String token, boolean loopbackOnly, Set<String> hostNames, Set<String> allowedOrigins) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.loopbackOnly = loopbackOnly;
        this.anyHost = hostNames.contains("*");
        this.hostNames = hostNames;
        this.allowedOrigins = allowedOrigins;
    }

    /** Refuses bodies over {@code bytes} with 413 before any handler reads them. */
    public ApiGuard withMaxBody(long bytes) {
        this.maxBody = bytes;
        return this;
    }

    public boolean tokenRequired() {
        return token != null;
    }

    /** The token, or null when it is off. */
    public String token() {
        return token == null ? null : new String(token, StandardCharsets.UTF_8);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest req = exchange.getRequest();
        String host = req.getHeaders().getFirst(HttpHeaders.HOST);
        if (!hostAllowed(host)) {
            return refuse(exchange, HttpStatus.FORBIDDEN, "Unknown host",
                    "this server does not answer to Host '" + host + "' (a page of another site reaching it by DNS "
                            + "rebinding sends its own name); names it answers to: localhost, IP addresses"
                            + (loopbackOnly ? "" : ", its own host names")
                            + " and setting wirelab.security.allowed-hosts", null);
        }
        HttpMethod method = req.getMethod();
        if (STATE_CHANGING.contains(method)) {
            String origin = req.getHeaders().getOrigin();
            String site = req.getHeaders().getFirst("Sec-Fetch-Site");
            boolean allowedOrigin = origin != null && allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
            if (origin != null && !allowedOrigin && !sameOrigin(origin, req, host)) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "Cross-site request",
                        "requests that change state are taken from this server's own pages only, not from " + origin
                                + " (setting wirelab.security.allowed-origins)", null);
            }
            if ("cross-site".equalsIgnoreCase(site) && !allowedOrigin) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "Cross-site request",
                        "requests that change state are taken from this server's own pages only (Sec-Fetch-Site: "
                                + "cross-site)", null);
            }
        }
        if (WITH_CONTENT.contains(method) && !acceptedType(req.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE))) {
            return refuse(exchange, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "JSON or YAML content type required",
                    method + " requests need Content-Type application/json or application/yaml, with or without a "
                            + "body (got " + (req.getHeaders().getContentType() == null ? "none"
                            : req.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE)) + "), so that no web page of "
                            + "another site can send them", null);
        }
        long length = req.getHeaders().getContentLength();
        if (maxBody > 0 && length > maxBody) {
            // Too large: read and drop the body first (up to a bound), so the client reads this
            // answer instead of a connection reset, as it would if we closed with its bytes unread.
            return refuse(exchange, HttpStatus.CONTENT_TOO_LARGE, "Content Too Large",
                    "the body is " + length + " bytes; this server takes at most " + maxBody
                            + " (setting spring.codec.max-in-memory-size)", null);
        }
        Principal who;
        if (token != null) {
            who = authenticate(exchange);
            boolean publicHealth = method == HttpMethod.GET && "/actuator/health".equals(req.getPath().value());
            if (who == null && !publicHealth) {
                return refuse(exchange, HttpStatus.UNAUTHORIZED, "API token required",
                        "this server listens beyond loopback and asks for its API token: send 'Authorization: Bearer "
                                + "<token>' (the token is in the server's token file, ~/.wirelab/token unless "
                                + "wirelab.security.token-file says otherwise), or open /?token=<token> once in a browser",
                        "Bearer realm=\"wirelab\"");
            }
        } else {
            who = fromLoopback(req) ? LOCAL : null;
        }
        if (who == null) {
            return chain.filter(exchange);
        }
        Authentication auth = UsernamePasswordAuthenticationToken.authenticated(who.getName(), null, List.of());
        return chain.filter(exchange.mutate().principal(Mono.just(auth)).build())
                .contextWrite(ReactiveSecurityContextHolder.withAuthentication(auth));
    }

    private Principal authenticate(ServerWebExchange exchange) {
        ServerHttpRequest req = exchange.getRequest();
        String auth = req.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && matches(auth.substring(7).strip())) {
            return TOKEN;
        }
        HttpCookie cookie = req.getCookies().getFirst(COOKIE);
        if (cookie != null && matches(cookie.getValue())) {
            return TOKEN;
        }
        String query = req.getQueryParams().getFirst("token");
        if (query != null && req.getMethod() == HttpMethod.GET && matches(query)) {
            // A browser opened a page with the token once: from now on the cookie carries it
            // (SameSite=Strict: never sent with another site's requests).
            exchange.getResponse().addCookie(ResponseCookie.from(COOKIE, query).httpOnly(true).sameSite("Strict")
                    .path("/").build());
            return TOKEN;
        }
        return null;
    }

    /** Constant-time comparison, so response times say nothing about the token. */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean fromLoopback(ServerHttpRequest req) {
        InetSocketAddress remote = req.getRemoteAddress();
        InetAddress a = remote == null ? null : remote.getAddress();
        return a != null && a.isLoopbackAddress();
    }

    /** The host part of a Host header value, lower case, without port, brackets or a final dot. */
    static String hostName(String header) {
        String h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? null : h.substring(1, close);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (h.indexOf(':', colon + 1) >= 0) {
                return null; // an IPv6 literal must be in brackets (RFC 3986 section 3.2.2)
            }
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    boolean hostAllowed(String header) {
        if (header == null || header.isBlank()) {
            return false; // HTTP/1.1 requires Host (RFC 9112 section 3.2)
        }
        if (anyHost) {
            return true;
        }
        String h = hostName(header);
        if (h == null || h.isEmpty()) {
            return false;
        }
        // Names no other site can point at this server: localhost (RFC 6761 section 6.3) and IP
        // literals, which a browser reaches without asking any DNS.
        return h.equals("localhost") || h.endsWith(".localhost") || isIpLiteral(h) || hostNames.contains(h);
    }

    private static boolean isIpLiteral(String h) {
        if (h.contains(":")) {
            int zone = h.indexOf('%'); // a zone id (RFC 6874) follows the address
            String address = zone < 0 ? h : h.substring(0, zone);
            return address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameOrigin(String origin, ServerHttpRequest req, String host) {
        String scheme = req.getSslInfo() != null ? "https" : "http";
        String forwarded = req.getHeaders().getFirst("X-Forwarded-Proto");
        String o = origin.toLowerCase(Locale.ROOT);
        String h = host.strip().toLowerCase(Locale.ROOT);
        return o.equals(scheme + "://" + h) || (forwarded != null && o.equals(forwarded.toLowerCase(Locale.ROOT) + "://" + h))
                || o.equals(scheme + "://" + h.replaceFirst(":" + (scheme.equals("https") ? 443 : 80) + "$", ""));
    }

    private static boolean acceptedType(String header) {
        if (header == null) {
            return false;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
        if ("application".equals(type.getType()) && type.getSubtype().endsWith("+json")) {
            return true;
        }
        return ACCEPTED.stream().anyMatch(a -> a.equalsTypeAndSubtype(type));
    }

    private Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String title, String detail,
                              String challenge) {
        ServerHttpResponse res = exchange.getResponse();
        res.setStatusCode(status);
        res.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (challenge != null) {
            res.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", exchange.getRequest().getPath().value());
        byte[] body = json.writeValueAsBytes(problem);
        return discardBody(exchange).then(Mono.defer(() -> res.writeWith(Mono.just(res.bufferFactory().wrap(body)))));
    }

    /**
     * Reads and drops the body of a refused request before the answer goes out (up to
     * {@link #DRAIN_AT_MOST}), so the client reads the answer instead of a connection reset, and a
     * kept-alive connection is at the start of the next request when the client sends it. A body
     * beyond the bound is not read: the connection closes after the answer.
     */
    private static Mono<Void> discardBody(ServerWebExchange exchange) {
        HttpHeaders h = exchange.getRequest().getHeaders();
        long length = h.getContentLength();
        if (length <= 0 && h.getFirst(HttpHeaders.TRANSFER_ENCODING) == null) {
            return Mono.empty();
        }
        if (length > DRAIN_AT_MOST) {
            exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
            return Mono.empty();
        }
        long[] seen = new long[1];
        return exchange.getRequest().getBody()
                .doOnNext(b -> {
                    seen[0] += b.readableByteCount();
                    DataBufferUtils.release(b);
                })
                .takeUntil(b -> seen[0] > DRAIN_AT_MOST) // a chunked body without end: stop reading, then close
                .then(Mono.fromRunnable(() -> {
                    if (seen[0] > DRAIN_AT_MOST) {
                        exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
                    }
                }));
    }
}
