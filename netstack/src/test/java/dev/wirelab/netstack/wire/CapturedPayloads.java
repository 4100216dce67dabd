package dev.wirelab.netstack.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real DHCP and DNS messages (UDP payloads) from dnsmasq-dhclient-dig.hex: dnsmasq 2.89 serving DHCP
 * and an authoritative example.com zone in one Linux network namespace, ISC dhclient 4.4.3-P1 and
 * dig 9.18 in another, captured with tshark 4.0.17 on the veth between them (Debian 12).
 */
public final class CapturedPayloads {

    /** By name: "c#1" DHCPDISCOVER, "c#2" OFFER, "c#3" REQUEST, "c#4" ACK, "c#5".."c#18" DNS, "c#19" RELEASE. */
    public static final Map<String, byte[]> ALL = load("dnsmasq-dhclient-dig.hex");

    private CapturedPayloads() {
    }

    /** A fresh copy of a captured payload. */
    public static byte[] get(String name) {
        byte[] b = ALL.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no captured payload " + name);
        }
        return b.clone();
    }

    private static Map<String, byte[]> load(String resource) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = CapturedPayloads.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                byte[] bytes = HexFormat.of().parseHex(f[2]);
                if (bytes.length != Integer.parseInt(f[1])) {
                    throw new IllegalStateException(resource + ": " + f[0] + " has " + bytes.length + " bytes, not " + f[1]);
                }
                out.put(f[0], bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(out);
    }
}
