package dev.wirelab.control.ingest;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Rows in PostgreSQL's binary COPY format (PostgreSQL documentation, COPY, "Binary Format"),
 * written straight into a reusable byte buffer: a header, then per tuple a 16-bit field count and
 * each field as a 32-bit length (-1 for NULL) and the type's binary "send" representation, then a
 * trailer of -1. Binary saves the server the text parsing of every column (a frame's bytes above
 * all, which text COPY doubles in hex) and the client the formatting.
 *
 * <p>Texts: PostgreSQL's text type cannot hold U+0000 in either format, so a NUL is written as
 * U+2400 SYMBOL FOR NUL, which shows where it was; a lone surrogate becomes '?', as Java's UTF-8
 * encoder writes it (the server checks that text is valid UTF-8).
 */
final class CopyBinary {

    /** "PGCOPY\n\377\r\n\0", flags (no OIDs), header extension length 0. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** pg_type OID of text: the element type of a text[]. */
    private static final int TEXT_OID = 25;
    /** inet's address families in its send format (src/include/utils/inet.h): PGSQL_AF_INET. */
    private static final byte PGSQL_AF_INET = 2;
    /** jsonb's binary format version (jsonb_send). */
    private static final byte JSONB_VERSION = 1;

    private byte[] buf = new byte[1 << 16];
    private int len;
    private int rows;

    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }

    int rows() {
        return rows;
    }

    /** Starts a new COPY stream: the header. */
    void reset() {
        len = 0;
        rows = 0;
        ensure(HEADER.length);
        System.arraycopy(HEADER, 0, buf, 0, HEADER.length);
        len = HEADER.length;
    }

    /** The stream as it must be sent: what was written plus the trailer (the buffer stays usable). */
    byte[] finish() {
        ensure(2);
        byte[] out = Arrays.copyOf(buf, len + 2);
        out[len] = (byte) 0xFF;
        out[len + 1] = (byte) 0xFF;
        return out;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private void int16(int v) {
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    /** A tuple of {@code fields} columns begins. */
    void row(int fields) {
        ensure(2);
        int16(fields);
        rows++;
    }

    void nul() {
        ensure(4);
        int32(-1);
    }

    void int8(long v) {
        ensure(12);
        int32(8);
        int64(v);
    }

    void int4(Integer v) {
        if (v == null) {
            nul();
            return;
        }
        ensure(8);
        int32(4);
        int32(v);
    }

    void int2(Integer v) {
        if (v == null) {
            nul();
            return;
        }
        ensure(6);
        int32(2);
        int16(v);
    }

    void text(String s) {
        if (s == null) {
            nul();
            return;
        }
        int n = s.length();
        ensure(4 + n);
        int lengthAt = len;
        len += 4;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                // Rare: not plain ASCII. Encode the whole string the slow way.
                len = lengthAt;
                byte[] utf8 = s.replace('\0', CopyText.NUL_SYMBOL).getBytes(StandardCharsets.UTF_8);
                bytes(utf8, 0, utf8.length);
                return;
            }
            buf[len++] = (byte) c;
        }
        int end = len;
        len = lengthAt;
        int32(n);
        len = end;
    }

    void bytes(byte[] b, int off, int n) {
        ensure(4 + n);
        int32(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** A one-dimensional text[] without NULLs (array_send: ndim, has-nulls, element type, then per dimension size and lower bound). */
    void textArray(List<String> words) {
        ensure(4 + 20);
        int lengthAt = len;
        len += 4;
        int32(1);
        int32(0);
        int32(TEXT_OID);
        int32(words.size());
        int32(1);
        for (String w : words) {
            text(w);
        }
        int end = len;
        len = lengthAt;
        int32(end - lengthAt - 4);
        len = end;
    }

    /** macaddr_send: the six bytes. */
    void macaddr(MacAddress m) {
        if (m == null) {
            nul();
            return;
        }
        ensure(10);
        int32(6);
        long b = m.bits();
        for (int shift = 40; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (b >>> shift);
        }
    }

    /** inet_send for a host address: family, prefix bits (32), is-cidr (0), address length, address. */
    void inet(Ipv4Address a) {
        if (a == null) {
            nul();
            return;
        }
        ensure(12);
        int32(8);
        buf[len++] = PGSQL_AF_INET;
        buf[len++] = 32;
        buf[len++] = 0;
        buf[len++] = 4;
        int32(a.bits());
    }

    /** jsonb_send: the format version, then the JSON text (UTF-8, NUL-free: see the pipeline's escapes). */
    void jsonb(byte[] json) {
        ensure(5 + json.length);
        int32(json.length + 1);
        buf[len++] = JSONB_VERSION;
        System.arraycopy(json, 0, buf, len, json.length);
        len += json.length;
    }
}
