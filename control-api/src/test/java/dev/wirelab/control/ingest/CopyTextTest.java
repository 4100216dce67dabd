package dev.wirelab.control.ingest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CopyTextTest {

    private static String text(CopyText t) {
        return new String(t.buffer(), 0, t.length(), StandardCharsets.UTF_8);
    }

    @Test
    void columnsAreTabSeparatedWithEscapesAndNulls() {
        CopyText t = new CopyText();
        t.number(42L);
        t.number(-7L);
        t.number(Long.MIN_VALUE);
        t.text("a\tb\\c\nd\re");
        t.text(null);
        t.number((Integer) null);
        t.bytea(new byte[]{0x00, (byte) 0xAB, 0x7F});
        t.words(List.of("eth", "ipv4"));
        t.text("Grüße");
        t.endRow();
        assertThat(text(t)).isEqualTo("42\t-7\t" + Long.MIN_VALUE + "\ta\\tb\\\\c\\nd\\re\t\\N\t\\N\t\\\\x00ab7f\t{\"eth\",\"ipv4\"}\tGrüße\n");
    }

    @Test
    void nulsBecomeTheSymbolForNulAndEscapesHoldAfterNonAsciiText() {
        CopyText t = new CopyText();
        t.text("a\u0000b");
        t.text("\u0000".repeat(30_000)); // 3 bytes each, beyond the first buffer: it keeps up
        t.text("Grüße\tund\\\n\r\u0000");
        t.endRow();
        assertThat(text(t)).isEqualTo("a\u2400b\t" + "\u2400".repeat(30_000) + "\tGrüße\\tund\\\\\\n\\r\u2400\n");
    }

    @Test
    void theBufferGrowsAndResets() {
        CopyText t = new CopyText();
        byte[] big = new byte[100_000];
        t.bytea(big);
        t.endRow();
        assertThat(t.length()).isEqualTo(3 + 200_000 + 1);
        t.reset();
        t.number(0L);
        assertThat(text(t)).isEqualTo("0");
    }
}
