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

/**
 * Reads YAML or JSON text into a {@link SourceNode} tree with positions, using Jackson's streaming
 * parser. Syntax errors and duplicate keys become problems; nothing else escapes.
 */
final class SourceReader {

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

    private SourceReader(Problems problems) {
        this.problems = problems;
    }

    /** The document's root value, or null when the text is empty or unreadable (a problem says why). */
    static SourceNode read(TokenStreamFactory factory, String text, String format, Problems problems) {
        return new SourceReader(problems).readDocument(factory, text, format);
    }

    private SourceNode readDocument(TokenStreamFactory factory, String text, String format) {
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
