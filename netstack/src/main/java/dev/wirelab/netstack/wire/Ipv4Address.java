package dev.wirelab.netstack.wire;

/** An IPv4 address as an unsigned 32-bit value held in an int. */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFFFFFF);

    /** Parses dotted-quad text such as "192.168.1.1"; rejects anything else with a clear message. */
    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (need four dotted numbers): " + text);
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int n = Integer.parseInt(p);
            if (n > 255) {
                throw new IllegalArgumentException("not an IPv4 address (" + n + " > 255): " + text);
            }
            v = (v << 8) | n;
        }
        return new Ipv4Address(v);
    }

    public static Ipv4Address read(byte[] b, int off) {
        return new Ipv4Address(((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16)
                | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF));
    }

    public void write(byte[] b, int off) {
        b[off] = (byte) (bits >>> 24);
        b[off + 1] = (byte) (bits >>> 16);
        b[off + 2] = (byte) (bits >>> 8);
        b[off + 3] = (byte) bits;
    }

    /** Netmask with {@code prefix} leading one bits (0..32). */
    public static int mask(int prefix) {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefix);
        }
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** This address ANDed with the mask of {@code prefix}. */
    public Ipv4Address network(int prefix) {
        return new Ipv4Address(bits & mask(prefix));
    }

    public boolean inSubnet(Ipv4Address network, int prefix) {
        return (bits & mask(prefix)) == (network.bits & mask(prefix));
    }

    public boolean isMulticast() {
        return (bits >>> 28) == 0xE;
    }

    public boolean isLimitedBroadcast() {
        return bits == 0xFFFFFFFF;
    }

    public byte[] toBytes() {
        byte[] b = new byte[4];
        write(b, 0);
        return b;
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
    }
}
