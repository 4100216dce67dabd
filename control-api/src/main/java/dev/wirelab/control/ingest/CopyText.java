package dev.wirelab.control.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows in PostgreSQL's COPY text format (tab-separated columns, newline-terminated rows, {@code \N}
 * for NULL, backslash escapes), written straight into a reusable byte buffer.
 *
 * <p>Every text is storable whatever its characters: PostgreSQL's text type cannot hold U+0000
 * (there is no escape for it), so a NUL is written as U+2400 SYMBOL FOR NUL, which shows where it
 * was; a lone surrogate becomes '?', as Java's UTF-8 encoder writes it.
 */
final class CopyText {

    /** What a NUL in a text is stored as: U+2400 SYMBOL FOR NUL. */
    static final char NUL_SYMBOL = dev.wirelab.nodeservice.protocol.NulSafeJson.NUL_SYMBOL;
    private static final byte[] NUL_SYMBOL_UTF8 = String.valueOf(NUL_SYMBOL).getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private byte[] buf = new byte[1 << 16];
    private int len;
    private boolean firstColumn = true;

    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }

    void reset() {
        len = 0;
        firstColumn = true;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private void separator() {
        if (!firstColumn) {
            ensure(1);
            buf[len++] = '\t';
        }
        firstColumn = false;
    }

    void endRow() {
        ensure(1);
        buf[len++] = '\n';
        firstColumn = true;
    }

    void nul() {
        separator();
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
    }

    void number(long v) {
        separator();
        ensure(20);
        if (v == Long.MIN_VALUE) {
            byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, buf, len, s.length);
            len += s.length;
            return;
        }
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        if (v == 0) {
            buf[len++] = '0';
            return;
        }
        int start = len;
        while (v > 0) {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    void number(Integer v) {
        if (v == null) {
            nul();
        } else {
            number(v.longValue());
        }
    }

    /** Text with COPY escapes: backslash, tab, newline and carriage return (COPY "Text Format"). */
    void text(String s) {
        if (s == null) {
            nul();
            return;
        }
        separator();
        int n = s.length();
        ensure(n * 2);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> { buf[len++] = '\\'; buf[len++] = '\\'; }
                    case '\t' -> { buf[len++] = '\\'; buf[len++] = 't'; }
                    case '\n' -> { buf[len++] = '\\'; buf[len++] = 'n'; }
                    case '\r' -> { buf[len++] = '\\'; buf[len++] = 'r'; }
                    case '\0' -> {
                        ensure((n - i) * 2 + NUL_SYMBOL_UTF8.length); // 3 bytes, not 2: keep room for the rest
                        System.arraycopy(NUL_SYMBOL_UTF8, 0, buf, len, NUL_SYMBOL_UTF8.length);
                        len += NUL_SYMBOL_UTF8.length;
                    }
                    default -> buf[len++] = (byte) c;
                }
            } else {
                // Rare: encode the rest of the string as UTF-8 (no control characters above 0x7F need
                // escaping); the rest is escaped the same way first, NULs included.
                String tail = s.substring(i);
                if (tail.indexOf('\\') >= 0 || tail.indexOf('\t') >= 0 || tail.indexOf('\n') >= 0 || tail.indexOf('\r') >= 0
                        || tail.indexOf('\0') >= 0) {
                    tail = tail.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
                            .replace('\0', NUL_SYMBOL);
                }
                byte[] rest = tail.getBytes(StandardCharsets.UTF_8);
                ensure(rest.length);
                System.arraycopy(rest, 0, buf, len, rest.length);
                len += rest.length;
                return;
            }
        }
    }

    /** A bytea in hex format ({@code \x0102...}); the backslash itself escaped for COPY. */
    void bytea(byte[] b) {
        separator();
        ensure(3 + b.length * 2);
        buf[len++] = '\\';
        buf[len++] = '\\';
        buf[len++] = 'x';
        for (byte x : b) {
            buf[len++] = HEX[(x >> 4) & 0xF];
            buf[len++] = HEX[x & 0xF];
        }
    }

    /** A text[] of simple words (protocol names): {@code {eth,ipv4,udp}}. */
    void words(java.util.List<String> words) {
        StringBuilder sb = new StringBuilder(32).append('{');
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(words.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        text(sb.append('}').toString());
    }
}
