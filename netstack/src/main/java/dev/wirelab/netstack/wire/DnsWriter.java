package dev.wirelab.netstack.wire;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a DNS message with name compression (RFC 1035 section 4.1.4): every name suffix written
 * at an offset a pointer can reach (below 0x4000) is remembered, and a later name ending in the same
 * suffix points to it. {@link #mark()} and {@link #reset(int)} let the encoder take back a record that
 * does not fit (truncation), forgetting the suffixes it had added.
 */
final class DnsWriter {

    private byte[] buf = new byte[512];
    private int size;
    private final Map<String, Integer> suffixes = new HashMap<>();
    private final boolean compress;

    DnsWriter(boolean compress) {
        this.compress = compress;
    }

    int size() {
        return size;
    }

    int mark() {
        return size;
    }

    void reset(int mark) {
        size = mark;
        for (Iterator<Map.Entry<String, Integer>> it = suffixes.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() >= mark) {
                it.remove();
            }
        }
    }

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        Bytes.writeU16(buf, size, v);
        size += 2;
    }

    void u32(long v) {
        ensure(4);
        Bytes.writeI32(buf, size, (int) v);
        size += 4;
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void setU16(int at, int v) {
        Bytes.writeU16(buf, at, v);
    }

    /** Writes {@code name}, compressed when allowed and {@code compressible}. */
    void name(DnsName name, boolean compressible) {
        var labels = name.labels();
        for (int i = 0; i < labels.size(); i++) {
            String key = suffixKey(name, i);
            if (compress && compressible) {
                Integer at = suffixes.get(key);
                if (at != null) {
                    u16(0xC000 | at); // RFC 1035 section 4.1.4: the two high bits 11 mark a pointer
                    return;
                }
            }
            if (size < 0x4000) {
                suffixes.putIfAbsent(key, size);
            }
            byte[] l = DnsName.labelBytes(labels.get(i));
            u8(l.length);
            bytes(l);
        }
        u8(0);
    }

    private static String suffixKey(DnsName name, int from) {
        StringBuilder sb = new StringBuilder();
        var labels = name.labels();
        for (int i = from; i < labels.size(); i++) {
            sb.append(labels.get(i).toLowerCase(Locale.ROOT)).append('\u0000');
        }
        return sb.toString();
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
