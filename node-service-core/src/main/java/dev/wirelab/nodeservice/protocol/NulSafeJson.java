package dev.wirelab.nodeservice.protocol;

import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * JSON text that PostgreSQL's {@code jsonb} takes whatever its strings hold: jsonb refuses the
 * escape {@code \u0000} (PostgreSQL manual, 8.14 "JSON Types": it "cannot be converted to text"),
 * so a NUL in a string is written as U+2400 SYMBOL FOR NULL, the character the ingest stores for a
 * NUL in every text. Node containers write event details with {@link #mapper()}; the control API
 * writes its own the same way and passes what a container sends through {@link #sanitize}, since
 * a container is not trusted to have done so.
 */
public final class NulSafeJson {

    /** What a NUL in a text becomes. */
    public static final char NUL_SYMBOL = '\u2400';
    private static final byte[] NUL_SYMBOL_UTF8 = String.valueOf(NUL_SYMBOL).getBytes(StandardCharsets.UTF_8);

    private NulSafeJson() {
    }

    /** A mapper that writes NUL characters in strings as {@link #NUL_SYMBOL}. */
    public static JsonMapper mapper() {
        return JsonMapper.builder(JsonFactory.builder().characterEscapes(new Escapes()).build()).build();
    }

    /**
     * JSON text with every escaped NUL ({@code \u0000}, hex digits in either case) replaced by
     * {@link #NUL_SYMBOL}; an escaped backslash followed by "u0000" is left alone. Returns
     * {@code json} itself when there is nothing to replace (the usual case: one scan, no copy).
     */
    public static byte[] sanitize(byte[] json) {
        int first = nextEscapedNul(json, 0);
        if (first < 0) {
            return json;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        int from = 0;
        for (int at = first; at >= 0; at = nextEscapedNul(json, from)) {
            out.write(json, from, at - from);
            out.write(NUL_SYMBOL_UTF8, 0, NUL_SYMBOL_UTF8.length);
            from = at + 6;
        }
        out.write(json, from, json.length - from);
        return out.toByteArray();
    }

    /** The index of the next {@code \u0000} escape at or after {@code from}, or -1. */
    private static int nextEscapedNul(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] != '\\') {
                continue;
            }
            if (b[i + 1] == 'u' && i + 5 < b.length && b[i + 2] == '0' && b[i + 3] == '0' && b[i + 4] == '0'
                    && b[i + 5] == '0') {
                return i;
            }
            i++; // the escaped character (a second backslash included) is not the start of an escape
        }
        return -1;
    }

    private static final class Escapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();
        private final SerializableString symbol = new SerializedString(String.valueOf(NUL_SYMBOL));

        Escapes() {
            ascii[0] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0 ? symbol : null;
        }
    }
}
