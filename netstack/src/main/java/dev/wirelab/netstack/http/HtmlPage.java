package dev.wirelab.netstack.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a browser would show of an HTML document, read by a small tolerant tokenizer (no DOM, no
 * scripts): the {@code <title>}, the visible text as lines (block elements break lines, scripts,
 * styles and the head are not shown, character references decoded, whitespace collapsed as CSS's
 * {@code white-space: normal} does), the links and the images. Any input gives an answer.
 *
 * @param title  the title, or "" when the document has none
 * @param lines  visible text, one entry per block
 * @param links  href of each {@code <a>}, in document order
 * @param images src of each {@code <img>}, in document order
 */
public record HtmlPage(String title, List<String> lines, List<String> links, List<String> images) {

    private static final Set<String> HIDDEN = Set.of("script", "style", "template", "noscript");
    private static final Set<String> BLOCK = Set.of("p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
            "ol", "tr", "table", "section", "article", "header", "footer", "nav", "main", "body", "html", "pre",
            "blockquote", "hr", "form", "dl", "dt", "dd", "figure", "figcaption", "title");

    public HtmlPage {
        lines = List.copyOf(lines);
        links = List.copyOf(links);
        images = List.copyOf(images);
    }

    /** Visible text in one string, lines joined by a space, cut to {@code max} characters. */
    public String summary(int max) {
        String all = String.join(" ", lines);
        return all.length() <= max ? all : all.substring(0, Math.max(0, max - 3)).stripTrailing() + "...";
    }

    public static HtmlPage parse(String html) {
        StringBuilder title = new StringBuilder();
        List<String> lines = new ArrayList<>();
        List<String> links = new ArrayList<>();
        List<String> images = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String hiddenUntil = null; // the closing tag that ends a hidden element
        boolean inTitle = false;
        boolean titleSeen = false;
        int i = 0;
        int n = html.length();
        while (i < n) {
            char c = html.charAt(i);
            if (c != '<') {
                int next = html.indexOf('<', i);
                int to = next < 0 ? n : next;
                String chunk = decodeEntities(html.substring(i, to));
                if (inTitle) {
                    title.append(chunk);
                } else if (hiddenUntil == null) {
                    text.append(chunk);
                }
                i = to;
                continue;
            }
            if (html.startsWith("<!--", i)) {
                int close = html.indexOf("-->", i + 4);
                i = close < 0 ? n : close + 3;
                continue;
            }
            if (i + 1 < n && (html.charAt(i + 1) == '!' || html.charAt(i + 1) == '?')) {
                int close = html.indexOf('>', i);
                i = close < 0 ? n : close + 1;
                continue;
            }
            Tag t = Tag.read(html, i);
            if (t == null) {
                // a '<' that starts no tag is text
                if (hiddenUntil == null && !inTitle) {
                    text.append('<');
                } else if (inTitle) {
                    title.append('<');
                }
                i++;
                continue;
            }
            i = t.end;
            if (hiddenUntil != null) {
                if (t.closing && t.name.equals(hiddenUntil)) {
                    hiddenUntil = null;
                }
                continue;
            }
            if (t.name.equals("title")) {
                // Only the first title counts; its text is not part of the page body.
                inTitle = !t.closing && !titleSeen;
                titleSeen |= !t.closing;
                if (!t.closing && !inTitle) {
                    hiddenUntil = "title";
                }
                continue;
            }
            if (inTitle) {
                continue;
            }
            if (!t.closing && HIDDEN.contains(t.name) && !t.selfClosing) {
                hiddenUntil = t.name;
                continue;
            }
            if (BLOCK.contains(t.name)) {
                flush(text, lines);
            }
            if (!t.closing && t.name.equals("a") && t.attr("href") != null) {
                links.add(t.attr("href"));
            }
            if (!t.closing && t.name.equals("img")) {
                if (t.attr("src") != null) {
                    images.add(t.attr("src"));
                }
                if (t.attr("alt") != null && !t.attr("alt").isBlank()) {
                    text.append("[").append(t.attr("alt").strip()).append("]");
                }
            }
        }
        flush(text, lines);
        return new HtmlPage(collapse(title.toString()), lines, links, images);
    }

    private static void flush(StringBuilder text, List<String> lines) {
        String s = collapse(text.toString());
        if (!s.isEmpty()) {
            lines.add(s);
        }
        text.setLength(0);
    }

    /** HTML's inter-element whitespace (space, tab, LF, FF, CR) collapsed to single spaces. */
    private static String collapse(String s) {
        StringBuilder b = new StringBuilder();
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                space = true;
            } else {
                if (space && !b.isEmpty()) {
                    b.append(' ');
                }
                space = false;
                b.append(c == '\u00a0' ? ' ' : c);
            }
        }
        return b.toString();
    }

    /** Character references: the common named ones and numeric ones (decimal and hex). */
    static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi > i + 1 && semi - i <= 10) {
                String name = s.substring(i + 1, semi);
                String r = reference(name);
                if (r != null) {
                    b.append(r);
                    i = semi + 1;
                    continue;
                }
            }
            b.append(c);
            i++;
        }
        return b.toString();
    }

    private static String reference(String name) {
        switch (name) {
            case "amp": return "&";
            case "lt": return "<";
            case "gt": return ">";
            case "quot": return "\"";
            case "apos": return "'";
            case "nbsp": return "\u00a0";
            case "copy": return "\u00a9";
            case "mdash": return "\u2014";
            case "ndash": return "\u2013";
            case "hellip": return "\u2026";
            default: break;
        }
        try {
            int cp;
            if (name.startsWith("#x") || name.startsWith("#X")) {
                cp = Integer.parseInt(name.substring(2), 16);
            } else if (name.startsWith("#")) {
                cp = Integer.parseInt(name.substring(1));
            } else {
                return null;
            }
            if (cp <= 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return "\uFFFD";
            }
            return new String(Character.toChars(cp));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A start or end tag with its attributes. */
    private record Tag(String name, boolean closing, boolean selfClosing, List<String[]> attrs, int end) {

        String attr(String n) {
            for (String[] a : attrs) {
                if (a[0].equals(n)) {
                    return a[1];
                }
            }
            return null;
        }

        /** The tag starting at {@code at} ('<'), or null when none starts there. */
        static Tag read(String s, int at) {
            int i = at + 1;
            boolean closing = i < s.length() && s.charAt(i) == '/';
            if (closing) {
                i++;
            }
            int nameStart = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-')) {
                i++;
            }
            if (i == nameStart || !Character.isLetter(s.charAt(nameStart))) {
                return null;
            }
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            List<String[]> attrs = new ArrayList<>();
            boolean selfClosing = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '>') {
                    return new Tag(name, closing, selfClosing, attrs, i + 1);
                }
                if (c == '/' ) {
                    selfClosing = true;
                    i++;
                    continue;
                }
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                int an = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "=>/".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                String attrName = s.substring(an, i).toLowerCase(Locale.ROOT);
                String value = "";
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i < s.length() && s.charAt(i) == '=') {
                    i++;
                    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                        i++;
                    }
                    if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
                        char q = s.charAt(i);
                        int close = s.indexOf(q, i + 1);
                        if (close < 0) {
                            return new Tag(name, closing, selfClosing, attrs, s.length());
                        }
                        value = s.substring(i + 1, close);
                        i = close + 1;
                    } else {
                        int vs = i;
                        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '>') {
                            i++;
                        }
                        value = s.substring(vs, i);
                    }
                }
                if (!attrName.isEmpty()) {
                    attrs.add(new String[] {attrName, decodeEntities(value)});
                }
                selfClosing = false;
            }
            return new Tag(name, closing, selfClosing, attrs, s.length());
        }
    }
}
