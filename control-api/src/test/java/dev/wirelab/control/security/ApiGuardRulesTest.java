package dev.wirelab.control.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ApiGuardRulesTest {

    static final ApiGuard GUARD = new ApiGuard(null, true, Set.of("lab.example.org"), Set.of());

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "LOCALHOST.", "app.localhost:1", "127.0.0.1:8080",
            "10.1.2.3", "[::1]:8080", "[fe80::1%25eth0]", "lab.example.org:8080"})
    void hostsThatNoOtherSiteCanPointHere(String host) {
        assertThat(GUARD.hostAllowed(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io",
            "1.2.3.4.5", "999.0.0.1", "::1", "", " ", "[::1"})
    void everyOtherHostIsRefused(String host) {
        assertThat(GUARD.hostAllowed(host)).isFalse();
    }

    @Test
    void aStarAllowsAnyHostBehindAProxy() {
        assertThat(new ApiGuard(null, false, Set.of("*"), Set.of()).hostAllowed("anything.example")).isTrue();
    }

    @Test
    void autoMeansTheTokenIsOnBeyondLoopback() {
        assertThat(SecurityConfig.isLoopback("127.0.0.1")).isTrue();
        assertThat(SecurityConfig.isLoopback("::1")).isTrue();
        assertThat(SecurityConfig.isLoopback("0.0.0.0")).isFalse();
        assertThat(SecurityConfig.isLoopback("")).isFalse(); // Spring then listens everywhere
    }

    @Test
    void theTokenFileIsMadeOnceOwnerOnlyAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("token");
        String first = SecurityConfig.tokenFrom(file);
        assertThat(first).hasSizeGreaterThanOrEqualTo(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecurityConfig.tokenFrom(file)).isEqualTo(first);
        assertThat(SecurityConfig.tokenFrom(dir.resolve("other"))).isNotEqualTo(first);
    }
}
