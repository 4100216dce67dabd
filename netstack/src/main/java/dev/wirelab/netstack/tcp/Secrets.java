package dev.wirelab.netstack.tcp;

import dev.wirelab.netstack.wire.Ipv4Address;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The keyed hashes of one node's TCP: RFC 6528 initial sequence numbers, RFC 7323 section 7.1
 * timestamp offsets, SYN cookies, RFC 6056 ephemeral port offsets and SO_REUSEPORT selection. The
 * key comes from the node's name and {@link TcpConfig#secretSeed()}, so a lab replays with the same
 * numbers (virtual time reproducibility) yet nodes differ, as hosts with random keys would.
 */
final class Secrets {

    private final byte[] key;

    Secrets(String nodeName, long seed) {
        this.key = digest(ByteBuffer.allocate(8).putLong(seed).array(),
                ("wirelab-tcp:" + nodeName).getBytes(StandardCharsets.UTF_8));
    }

    /** F(purpose, a, b, c, d): the first 32 bits of SHA-256(key || purpose || a || b || c || d). */
    int hash(int purpose, int a, int b, int c, int d) {
        byte[] in = ByteBuffer.allocate(20).putInt(purpose).putInt(a).putInt(b).putInt(c).putInt(d).array();
        byte[] h = digest(key, in);
        return ByteBuffer.wrap(h).getInt();
    }

    int tupleHash(int purpose, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
        return hash(purpose, local.bits(), remote.bits(), (localPort << 16) | remotePort, 0);
    }

    /**
     * RFC 6528 section 3: "ISN = M + F(localip, localport, remoteip, remoteport, secretkey)" where
     * "M is the 4 microsecond timer".
     */
    SeqNum isn(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, long nowNanos) {
        int f = tupleHash(1, local, localPort, remote, remotePort);
        return new SeqNum(f + (int) (nowNanos / 4_000L));
    }

    /** RFC 7323 section 7.1: a per-connection (here per address pair, as Linux) random timestamp offset. */
    int timestampOffset(Ipv4Address local, Ipv4Address remote) {
        return hash(2, local.bits(), remote.bits(), 0, 0);
    }

    private static byte[] digest(byte[] a, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a);
            md.update(b);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
