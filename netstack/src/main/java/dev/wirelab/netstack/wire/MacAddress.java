package dev.wirelab.netstack.wire;

import java.util.HexFormat;

/** A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long. */
public record MacAddress(long bits) implements Comparable<MacAddress> {

    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address has more than 48 bits: " + Long.toHexString(bits));
        }
    }

    /** Parses "02:00:5e:10:00:01" (also with '-' separators). */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (need six hex bytes): " + text);
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            try {
                v = (v << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
        }
        return new MacAddress(v);
    }

    public static MacAddress read(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    public void write(byte[] b, int off) {
        for (int i = 5; i >= 0; i--) {
            b[off + i] = (byte) (bits >>> (8 * (5 - i)));
        }
    }

    /** A locally administered unicast address (02:...) derived from a name, stable across runs. */
    public static MacAddress locallyAdministered(String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte c : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= c & 0xFF;
            h *= 0x100000001b3L;
        }
        return new MacAddress(0x0200_0000_0000L | (h & 0x00FF_FFFF_FFFFL));
    }

    /** I/G bit: group (multicast or broadcast) address. */
    public boolean isGroup() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        write(b, 0);
        return b;
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(bits, o.bits);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }
}
