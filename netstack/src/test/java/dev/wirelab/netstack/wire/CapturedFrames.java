package dev.wirelab.netstack.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real frames captured with dumpcap (Wireshark 4.0, Debian 12, Linux kernel stack) on veth pairs between
 * three network namespaces: A (02:00:00:00:00:0a, 10.0.1.2) - R (router, 02:00:00:00:01:0a 10.0.1.1 |
 * 02:00:00:00:01:0b 10.0.2.1, MTU 576 towards C) - C (02:00:00:00:00:0c, 10.0.2.2), checksum offload off,
 * captured on A's interface unless noted. tshark verified every IP/ICMP/UDP checksum as good. Frames are
 * as captured at the sender: Linux pads short frames later, so some are shorter than 60 bytes.
 */
final class CapturedFrames {

    private CapturedFrames() {
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    static String toHex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The captured frames of three-namespaces.hex (names "a#1".."a#22", "c#1".."c#10") and vxlan-namespaces.hex ("x#1".."x#6"). */
    static final Map<String, byte[]> ALL = load("three-namespaces.hex", "vxlan-namespaces.hex");

    /** A captured frame by name, e.g. "a#12" (a fresh copy). */
    static byte[] frame(String name) {
        byte[] b = ALL.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no captured frame " + name);
        }
        return b.clone();
    }

    /** The IPv4 datagram of a captured untagged frame (bytes after the 14-byte Ethernet header). */
    static byte[] ipOf(String name) {
        byte[] f = frame(name);
        return Arrays.copyOfRange(f, 14, f.length);
    }

    /** Lines "<name> <length> <hex>"; '#' starts a comment line (the tshark summary of the next frame). */
    private static Map<String, byte[]> load(String... resources) {
        Map<String, byte[]> frames = new LinkedHashMap<>();
        for (String resource : resources) {
            try (InputStream in = CapturedFrames.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource " + resource);
                }
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] f = line.trim().split(" ");
                    byte[] bytes = hex(f[2]);
                    if (bytes.length != Integer.parseInt(f[1])) {
                        throw new IllegalStateException(resource + ": " + f[0] + " has " + bytes.length + " bytes, not " + f[1]);
                    }
                    frames.put(f[0], bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return java.util.Collections.unmodifiableMap(frames);
    }

    /** `ping -c1 -s 16 10.0.1.1` from A: ARP request "who-has 10.0.1.1 tell 10.0.1.2". */
    static final String ARP_REQUEST = "ffffffffffff02000000000a0806 0001 0800 06 04 0001 02000000000a 0a000102 000000000000 0a000101";
    /** R's ARP reply "10.0.1.1 is-at 02:00:00:00:01:0a". */
    static final String ARP_REPLY = "02000000000a02000000010a0806 0001 0800 06 04 0002 02000000010a 0a000101 02000000000a 0a000102";
    /** Echo request A -> R, id 0x196e seq 1, ttl 64, DF, IP id 0xe30a, 16 data bytes (timestamp + zeros). */
    static final String ECHO_REQUEST = "02000000010a02000000000a0800"
            + "4500002ce30a4000400141c40a0001020a000101"
            + "08001c94196e0001d42a026b00000000df660c0000000000";
    /** The echo reply R -> A, IP id 0x3617, DF clear. */
    static final String ECHO_REPLY = "02000000000a02000000010a0800"
            + "4500002c3617000040012eb80a0001010a000102"
            + "00002494196e0001d42a026b00000000df660c0000000000";
    /** `ping -t 1 10.0.2.2`: R answers Time Exceeded in transit (TOS 0xc0), quoting the request with ttl 1. */
    static final String TIME_EXCEEDED = "02000000000a02000000010a0800"
            + "45c000483618000040012ddb0a0001010a000102"
            + "0b00f4ff00000000"
            + "4500002ce3ce400001017eff0a0001020a000202" + "08007a82196f0001";
    /** `ping 192.0.2.99` (no route at R): Destination Unreachable, net unreachable. */
    static final String NET_UNREACHABLE = "02000000000a02000000010a0800"
            + "45c00048361a000040012dd90a0001010a000102"
            + "0300fcff00000000"
            + "4500002c52da400040011a920a000102c0000263" + "0800094f19720001";
    /**
     * UDP "wirelab udp" 10.0.1.2:40000 -> 10.0.2.2:9999 (ttl 64, DF) and C's port unreachable (captured on
     * A, so the ICMP shows ttl 63 from C; the quote shows the datagram as C received it, ttl 63).
     */
    static final String UDP = "02000000010a02000000000a0800"
            + "45000027571740004011ccab0a0001020a000202"
            + "9c40270f001387bf776972656c616220756470";
    static final String PORT_UNREACHABLE = "02000000000a02000000010a0800"
            + "45c000437c5000003f01e7a60a0002020a000102"
            + "0303142500000000"
            + "45000027571740003f11cdab0a0001020a000202" + "9c40270f001387bf" + "776972656c616220756470";
    /** UDP "no checksum" 10.0.1.2:40001 -> 10.0.1.1:9998 sent with SO_NO_CHECK: checksum field 0. */
    static final String UDP_NO_CHECKSUM = "02000000010a02000000000a0800"
            + "45000027859a400040119f290a0001020a000101"
            + "9c41270e00130000" + "6e6f20636865636b73756d";
    /** UDP "odd" (3 bytes: the checksum pads an odd byte) 10.0.1.2:40002 -> 10.0.1.1:7. */
    static final String UDP_ODD = "02000000010a02000000000a0800"
            + "4500001f859b400040119f300a0001020a000101"
            + "9c420007000b7a27" + "6f6464";
    /**
     * `ping -R -s 16 10.0.1.1`: IHL 15 with a Record Route option (type 7, length 39, pointer 8) and an
     * End of Option List byte.
     */
    static final String ECHO_RECORD_ROUTE = "02000000010a02000000000a0800"
            + "4f000054e30b40004001048a0a0001020a000101"
            + "01" + "07" + "27" + "08" + "0a000102" + "00".repeat(35)
            + "0800293c19730001d42a026b00000000d2b90c0000000000";

    /**
     * The ARP request above with an 802.1Q tag inserted by hand (TCI 0xa00a: priority 5, DEI 0, VLAN 10);
     * the kernel here has no 8021q module. tshark 4.0 decodes it as "802.1Q Virtual LAN, PRI: 5, DEI: 0,
     * ID: 10", Type ARP, Who has 10.0.1.1.
     */
    static final String VLAN_ARP_REQUEST = "ffffffffffff02000000000a" + "8100" + "a00a" + "0806"
            + "0001080006040001 02000000000a 0a000102 000000000000 0a000101";
    /** ECHO_REQUEST tagged by hand with TCI 0x0064 (VLAN 100); tshark: "PRI: 0, DEI: 0, ID: 100", checksums good. */
    static final String VLAN_ECHO_REQUEST = "02000000010a02000000000a" + "8100" + "0064" + "0800"
            + "4500002ce30a4000400141c40a0001020a000101"
            + "08001c94196e0001d42a026b00000000df660c0000000000";
}
