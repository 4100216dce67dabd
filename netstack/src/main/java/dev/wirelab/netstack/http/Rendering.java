package dev.wirelab.netstack.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a browser does with a response, decided by its Content-Type (RFC 9110 section 8.3): an HTML
 * page shows its title and text, plain text shows as text, an image shows as an image of its
 * size, and anything else is offered for download. A text-only summary of that, for a lab.
 *
 * @param mediaType the type without parameters ("text/html")
 * @param kind      "page", "text", "image", "download" or "empty"
 * @param title     the page title (HTML), else ""
 * @param lines     what would be on screen
 */
public record Rendering(String mediaType, String kind, String title, List<String> lines) {

    /** Lines of text shown at most, and characters per line. */
    public static final int MAX_LINES = 20;
    public static final int MAX_LINE = 200;

    public Rendering {
        lines = List.copyOf(lines);
    }

    public static Rendering of(HttpResponse r) {
        byte[] body = r.body();
        String contentType = r.headers().get("Content-Type").orElse("");
        String type = contentType.isEmpty() ? sniff(body) : MediaTypes.essence(contentType);
        if (body.length == 0) {
            return new Rendering(type, "empty", "", List.of("(empty " + (type.isEmpty() ? "" : type + " ") + "body)"));
        }
        if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
            HtmlPage page = HtmlPage.parse(text(body, contentType));
            List<String> lines = new ArrayList<>();
            for (String l : page.lines()) {
                if (lines.size() == MAX_LINES) {
                    lines.add("...");
                    break;
                }
                lines.add(cut(l));
            }
            if (!page.links().isEmpty()) {
                lines.add("links: " + cut(String.join(" ", page.links())));
            }
            if (!page.images().isEmpty()) {
                lines.add("images: " + cut(String.join(" ", page.images())));
            }
            return new Rendering(type, "page", page.title(), lines);
        }
        if (type.startsWith("image/")) {
            String size = imageSize(body);
            return new Rendering(type, "image", "", List.of(type + ", " + body.length + " bytes"
                    + (size == null ? "" : ", " + size + " pixels")));
        }
        if (type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript")) {
            List<String> lines = new ArrayList<>();
            for (String l : text(body, contentType).split("\r?\n", -1)) {
                if (lines.size() == MAX_LINES) {
                    lines.add("...");
                    break;
                }
                lines.add(cut(l));
            }
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return new Rendering(type, "text", "", lines);
        }
        return new Rendering(type.isEmpty() ? MediaTypes.OCTET_STREAM : type, "download", "",
                List.of((type.isEmpty() ? MediaTypes.OCTET_STREAM : type) + ", " + body.length
                        + " bytes: not displayed, offered as a download"));
    }

    /** With no Content-Type a browser sniffs (WHATWG MIME Sniffing); a few signatures suffice here. */
    static String sniff(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 512), StandardCharsets.ISO_8859_1).stripLeading().toLowerCase();
        if (imageSize(b) != null && b.length > 8 && (b[0] & 0xFF) == 0x89) {
            return "image/png";
        }
        if (head.startsWith("<!doctype html") || head.startsWith("<html")) {
            return "text/html";
        }
        for (byte x : b) {
            if (x == 0) {
                return MediaTypes.OCTET_STREAM;
            }
        }
        return "text/plain";
    }

    /** Decodes with the charset parameter (UTF-8 when absent or unknown), replacing bad sequences. */
    static String text(byte[] body, String contentType) {
        Charset cs = StandardCharsets.UTF_8;
        String name = MediaTypes.charset(contentType);
        if (name != null) {
            try {
                cs = Charset.forName(name);
            } catch (RuntimeException e) {
                cs = StandardCharsets.UTF_8;
            }
        }
        try {
            CharBuffer cb = cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(body));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static String cut(String s) {
        return s.length() <= MAX_LINE ? s : s.substring(0, MAX_LINE - 3) + "...";
    }

    /** "32x32" from a PNG's IHDR, a GIF's logical screen or a JPEG's SOF; null when not recognised. */
    public static String imageSize(byte[] b) {
        if (b.length >= 24 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R') {
            ByteBuffer bb = ByteBuffer.wrap(b);
            return Integer.toUnsignedString(bb.getInt(16)) + "x" + Integer.toUnsignedString(bb.getInt(20));
        }
        if (b.length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            int w = (b[6] & 0xFF) | (b[7] & 0xFF) << 8;
            int h = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            return w + "x" + h;
        }
        if (b.length >= 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
            int i = 2;
            while (i + 9 < b.length && (b[i] & 0xFF) == 0xFF) {
                int marker = b[i + 1] & 0xFF;
                int len = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
                if (marker >= 0xC0 && marker <= 0xC3) {
                    int h = (b[i + 5] & 0xFF) << 8 | (b[i + 6] & 0xFF);
                    int w = (b[i + 7] & 0xFF) << 8 | (b[i + 8] & 0xFF);
                    return w + "x" + h;
                }
                if (len < 2) {
                    return null;
                }
                i += 2 + len;
            }
        }
        return null;
    }
}
