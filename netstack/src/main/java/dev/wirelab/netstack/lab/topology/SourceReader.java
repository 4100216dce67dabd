package dev.wirelab.netstack.lab.topology;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads YAML or JSON text into a {@link SourceNode} tree with positions, using Jackson's streaming
 * parser. Syntax errors and duplicate keys become problems; nothing else escapes.
 *
 * <p>YAML anchors and aliases (YAML 1.2 section 3.2.2.2, "&amp;lan" then "*lan") are expanded here,
 * as the parser only reports them: an alias becomes a copy of the anchored value at the alias's
 * path, so every later check sees the value itself. Copies are bounded in number of values and in
 * depth, so a small file of nested aliases (a "billion laughs" alias bomb) is a problem, not an
 * exhausted heap.
 */
final class SourceReader {

    /** Values that aliases may add in all: far beyond any real lab, far below a heap's worth. */
    static final int MAX_ALIAS_VALUES = 10_000;
    /** The same depth a file may have without aliases (the parser's own limit). */
    static final int MAX_DEPTH = 64;

    /** Files are small; these limits keep hostile input (deep nesting, huge strings) cheap. */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(64)
            .maxStringLength(100_000)
            .maxNameLength(10_000)
            .maxNumberLength(100)
            .maxDocumentLength(4_000_000)
            .build();

    static final TokenStreamFactory YAML = YAMLFactory.builder().streamReadConstraints(LIMITS).build();
    static final TokenStreamFactory JSON = JsonFactory.builder().streamReadConstraints(LIMITS).build();

    private final Problems problems;
    /** Anchored values read so far, by anchor name; a later anchor of the same name replaces it (YAML 1.2 section 3.2.2.2). */
    private final Map<String, SourceNode> anchors = new java.util.HashMap<>();
    private int aliasValues;
    private String text = "";

    /** Stops reading when aliases expand beyond the bounds. */
    private static final class AliasBomb extends RuntimeException {
        AliasBomb(String message) {
            super(message, null, false, false);
        }
    }

    private SourceReader(Problems problems) {
        this.problems = problems;
    }

    /** The document's root value, or null when the text is empty or unreadable (a problem says why). */
    static SourceNode read(TokenStreamFactory factory, String text, String format, Problems problems) {
        return new SourceReader(problems).readDocument(factory, text, format);
    }

    private SourceNode readDocument(TokenStreamFactory factory, String text, String format) {
        this.text = text;
        try (JsonParser p = factory.createParser(tools.jackson.core.ObjectReadContext.empty(), text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                problems.add(Problem.ROOT, "the " + format + " document is empty: a topology needs "
                        + "at least 'name', 'segments' and 'nodes'");
                return null;
            }
            SourceNode root = readValue(p, "");
            JsonToken after = p.nextToken();
            if (after != null) {
                TokenStreamLocation loc = p.currentTokenLocation();
                problems.add(new Problem(Problem.ROOT, "unexpected content after the end of the "
                        + ("YAML".equals(format) ? "first YAML document (one topology per file)" : "JSON value"),
                        loc.getLineNr(), loc.getColumnNr()));
                return null;
            }
            return root;
        } catch (AliasBomb e) {
            problems.add(Problem.ROOT, e.getMessage());
            return null;
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            problems.add(new Problem(Problem.ROOT, format + " syntax error: " + clean(e.getOriginalMessage()),
                    loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr()));
            return null;
        } catch (RuntimeException e) {
            // The YAML engine may throw its own exceptions for some malformed input.
            problems.add(Problem.ROOT, format + " syntax error: " + clean(String.valueOf(e.getMessage())));
            return null;
        }
    }

    private SourceNode readValue(JsonParser p, String path) {
        if (!(p instanceof YAMLParser yaml)) {
            return readPlainValue(p, path);
        }
        TokenStreamLocation loc = p.currentTokenLocation();
        if (yaml.isCurrentAlias()) {
            String name = p.getString();
            SourceNode anchored = anchors.get(name);
            if (anchored == null) {
                // An alias must follow its anchor (YAML 1.2 section 7.1); one inside its own anchored
                // value lands here too, so aliases never make a cycle.
                problems.add(new Problem(path, "alias '*" + name + "' names no anchor '&" + name + "' before it",
                        loc.getLineNr(), loc.getColumnNr()));
                return scalar(path, loc.getLineNr(), loc.getColumnNr(), SourceNode.ScalarType.OTHER, "*" + name, null, 0);
            }
            return copy(anchored, path, loc.getLineNr(), loc.getColumnNr(), p.streamReadContext().getNestingDepth());
        }
        String anchor = yaml.getObjectId();
        if (anchor == null && p.currentToken().isScalarValue()) {
            anchor = scalarAnchor(loc.getCharOffset());
        }
        SourceNode value = readPlainValue(p, path);
        if (anchor != null) {
            anchors.put(anchor, value);
        }
        return value;
    }

    /**
     * The anchor of the scalar whose node starts at {@code offset}. Jackson reports anchors of
     * mappings and lists only, but a scalar's start includes its properties (YAML 1.2 section 6.9,
     * an anchor and a tag in either order), so the anchor is read from the text there.
     */
    private String scalarAnchor(long offset) {
        int i = (int) Math.min(Math.max(offset, 0), text.length());
        for (int property = 0; property < 2 && i < text.length(); property++) {
            char c = text.charAt(i);
            if (c == '&') {
                int end = ++i;
                // ns-anchor-char: any non-space character but the flow indicators (section 6.9.2).
                while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && ",[]{}".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                return end > i ? text.substring(i, end) : null;
            }
            if (c != '!') {
                return null;
            }
            int close = text.startsWith("!<", i) ? text.indexOf('>', i) : -1; // verbatim tag (section 6.8.1)
            i = close >= 0 ? close + 1 : i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
        }
        return null;
    }

    /**
     * The anchored value again at the alias's path; the copy's top is where the alias is written,
     * values inside keep the lines where they are written (under the anchor).
     */
    private SourceNode copy(SourceNode n, String path, int line, int col, int depth) {
        if (++aliasValues > MAX_ALIAS_VALUES) {
            throw new AliasBomb("YAML aliases expand to more than " + MAX_ALIAS_VALUES
                    + " values (nested aliases, an alias bomb?); a topology needs far fewer");
        }
        if (depth > MAX_DEPTH) {
            throw new AliasBomb("YAML aliases nest values deeper than " + MAX_DEPTH + " levels");
        }
        return switch (n) {
            case SourceNode.MapNode m -> {
                Map<String, SourceNode.Entry> entries = new LinkedHashMap<>();
                for (SourceNode.Entry e : m.entries().values()) {
                    SourceNode v = e.value();
                    entries.put(e.key(), new SourceNode.Entry(e.key(), e.line(), e.column(),
                            copy(v, Paths.child(path, e.key()), v.line(), v.column(), depth + 1)));
                }
                yield new SourceNode.MapNode(path, line, col, entries);
            }
            case SourceNode.ListNode l -> {
                List<SourceNode> items = new ArrayList<>();
                for (SourceNode v : l.items()) {
                    items.add(copy(v, Paths.item(path, items.size()), v.line(), v.column(), depth + 1));
                }
                yield new SourceNode.ListNode(path, line, col, items);
            }
            case SourceNode.Scalar sc -> new SourceNode.Scalar(path, line, col, sc.type(), sc.text(), sc.integer(), sc.decimal());
        };
    }

    private SourceNode readPlainValue(JsonParser p, String path) {
        TokenStreamLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, SourceNode.Entry> entries = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    TokenStreamLocation kl = p.currentTokenLocation();
                    String key = p.currentName();
                    p.nextToken();
                    String childPath = Paths.child(path, key);
                    SourceNode value = readValue(p, childPath);
                    SourceNode.Entry first = entries.get(key);
                    if (first != null) {
                        problems.add(new Problem(childPath, "'" + key + "' is given twice (first at line "
                                + first.line() + "); keys must be unique, the second one is ignored",
                                kl.getLineNr(), kl.getColumnNr()));
                    } else {
                        entries.put(key, new SourceNode.Entry(key, kl.getLineNr(), kl.getColumnNr(), value));
                    }
                }
                return new SourceNode.MapNode(path, line, col, entries);
            }
            case START_ARRAY: {
                List<SourceNode> items = new ArrayList<>();
                for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                    items.add(readValue(p, Paths.item(path, items.size())));
                }
                return new SourceNode.ListNode(path, line, col, items);
            }
            case VALUE_STRING:
                return scalar(path, line, col, SourceNode.ScalarType.STRING, p.getString(), null, 0);
            case VALUE_NUMBER_INT: {
                BigInteger v;
                try {
                    v = p.getBigIntegerValue();
                } catch (JacksonException | NumberFormatException e) {
                    // A YAML integer form Jackson cannot convert (e.g. 0o17): keep the text.
                    return scalar(path, line, col, SourceNode.ScalarType.OTHER, p.getText(), null, 0);
                }
                return scalar(path, line, col, SourceNode.ScalarType.INTEGER, v.toString(), v, v.doubleValue());
            }
            case VALUE_NUMBER_FLOAT: {
                double d;
                try {
                    d = p.getDoubleValue();
                } catch (JacksonException | NumberFormatException e) {
                    // YAML's .nan and .inf: not numbers any field accepts.
                    d = Double.NaN;
                }
                return scalar(path, line, col, SourceNode.ScalarType.DECIMAL, p.getText(), null, d);
            }
            case VALUE_TRUE:
                return scalar(path, line, col, SourceNode.ScalarType.BOOLEAN, "true", null, 0);
            case VALUE_FALSE:
                return scalar(path, line, col, SourceNode.ScalarType.BOOLEAN, "false", null, 0);
            case VALUE_NULL:
                return scalar(path, line, col, SourceNode.ScalarType.NULL, "null", null, 0);
            default:
                // e.g. a YAML !!binary value (an embedded object): keep it so it is reported in place.
                return scalar(path, line, col, SourceNode.ScalarType.OTHER, String.valueOf(p.getText()), null, 0);
        }
    }

    private static SourceNode.Scalar scalar(String path, int line, int col, SourceNode.ScalarType type,
                                            String text, BigInteger integer, double decimal) {
        return new SourceNode.Scalar(path, line, col, type, text == null ? "" : text, integer, decimal);
    }

    private static final java.util.regex.Pattern IN_READER =
            java.util.regex.Pattern.compile("in reader, line (\\d+), column (\\d+):?");

    /**
     * Makes a parser message one line: SnakeYAML's "in reader, line L, column C:" markers become
     * "(line L, column C)" after their clause (the last one is the problem's own position), and its
     * source excerpts and carets are dropped; Jackson's " at [Source: ...]" tails too.
     */
    static String clean(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable input";
        }
        String m = message;
        int src = m.indexOf(" at [Source");
        if (src >= 0) {
            m = m.substring(0, src);
        }
        List<String> clauses = new ArrayList<>();
        List<String> places = new ArrayList<>();
        for (String raw : m.split("\\R")) {
            if (raw.startsWith("    ") || raw.isBlank()) {
                continue; // excerpt of the source, or the caret under it
            }
            String l = raw.strip();
            java.util.regex.Matcher r = IN_READER.matcher(l);
            if (r.matches()) {
                if (!clauses.isEmpty()) {
                    places.set(places.size() - 1, "line " + r.group(1) + ", column " + r.group(2));
                }
                continue;
            }
            clauses.add(l);
            places.add(null);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < clauses.size(); i++) {
            if (i > 0) {
                sb.append(": ");
            }
            sb.append(clauses.get(i));
            if (places.get(i) != null && i < clauses.size() - 1) {
                sb.append(" (").append(places.get(i)).append(')');
            }
        }
        String out = sb.toString().strip();
        if (out.length() > 300) {
            out = out.substring(0, 297) + "...";
        }
        return out.isEmpty() ? "unreadable input" : out;
    }
}
