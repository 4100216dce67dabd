package dev.wirelab.control.security;

import dev.wirelab.control.config.WirelabProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the {@link ApiGuard} from {@code wirelab.security.*} and {@code server.address}: the token
 * is on by default exactly when the server listens beyond loopback, and is then read from (or made
 * in) the token file, readable by its owner only.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public ApiGuard apiGuard(WirelabProperties props, Environment env) {
        WirelabProperties.Security s = props.security();
        String address = env.getProperty("server.address", "");
        boolean loopbackOnly = isLoopback(address);
        boolean tokenOn = switch (s.auth().strip().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            case "auto", "" -> !loopbackOnly;
            default -> throw new IllegalStateException("wirelab.security.auth: '" + s.auth() + "' is none of auto, on, off");
        };
        Set<String> hosts = new HashSet<>();
        s.allowedHosts().forEach(h -> hosts.add(h.strip().toLowerCase(Locale.ROOT)));
        if (!loopbackOnly) {
            hosts.addAll(ownHostNames());
        }
        Set<String> origins = new HashSet<>();
        s.allowedOrigins().forEach(o -> origins.add(o.strip().toLowerCase(Locale.ROOT).replaceAll("/+$", "")));
        String token = null;
        if (tokenOn) {
            Path file = s.tokenFile().isBlank() ? Path.of(System.getProperty("user.home"), ".wirelab", "token")
                    : Path.of(s.tokenFile());
            token = s.token().isBlank() ? tokenFrom(file) : s.token().strip();
            log.info("API token required (server address {}): send 'Authorization: Bearer <token>'; the token is in {}"
                    + " (open /?token=<token> once in a browser)", address.isBlank() ? "all interfaces" : address,
                    s.token().isBlank() ? file : "wirelab.security.token");
        } else if (!loopbackOnly) {
            log.warn("The server listens beyond loopback ({}) with the API token off (wirelab.security.auth=off): "
                    + "anyone who reaches it can run commands in its labs", address.isBlank() ? "all interfaces" : address);
        }
        // The same bound the body codecs keep (Spring's default 256 KB), checked before any is read.
        long maxBody = env.getProperty("spring.codec.max-in-memory-size", org.springframework.util.unit.DataSize.class,
                org.springframework.util.unit.DataSize.ofKilobytes(256)).toBytes();
        return new ApiGuard(token, loopbackOnly, Collections.unmodifiableSet(hosts), Collections.unmodifiableSet(origins))
                .withMaxBody(maxBody);
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false; // Spring binds every interface
        }
        try {
            return InetAddress.getByName(address.strip()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** This machine's names and addresses, for a server that listens beyond loopback. */
    private static Set<String> ownHostNames() {
        Set<String> names = new HashSet<>();
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(local.getHostName().toLowerCase(Locale.ROOT));
            names.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            // no name: IP addresses still work
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                Collections.list(ni.getInetAddresses()).forEach(a -> names.add(a.getHostName().toLowerCase(Locale.ROOT)));
            }
        } catch (SocketException e) {
            // as above
        }
        return names;
    }

    /** The token in the file, or a new random one written there (owner-only) on first use. */
    static String tokenFrom(Path file) {
        try {
            if (Files.exists(file)) {
                String t = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (t.length() < 16) {
                    throw new IllegalStateException("the API token in " + file + " is shorter than 16 characters");
                }
                return t;
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String t = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".new");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp); // not POSIX: the directory's permissions must do
            }
            Files.writeString(tmp, t + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the API token file " + file, e);
        }
    }
}
