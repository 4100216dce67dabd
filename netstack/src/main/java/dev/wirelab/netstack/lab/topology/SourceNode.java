package dev.wirelab.netstack.lab.topology;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value read from a YAML or JSON topology file, with its path and its position in the text, so
 * every problem can say where it is. Keys keep their order; a key given twice is reported when the
 * tree is read and only its first value is kept.
 */
public sealed interface SourceNode permits SourceNode.MapNode, SourceNode.ListNode, SourceNode.Scalar {

    String path();

    /** 1-based line, 0 when unknown. */
    int line();

    /** 1-based column, 0 when unknown. */
    int column();

    /** How this value is described in messages: "a number (5)", "a list", "a string ('x')". */
    String describe();

    /** A mapping; {@code keyLines}/{@code keyColumns} locate each key (for "unknown field"). */
    record MapNode(String path, int line, int column, Map<String, Entry> entries) implements SourceNode {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String describe() {
            return entries.isEmpty() ? "an empty mapping" : "a mapping";
        }
    }

    /** A key of a mapping: where the key is written, and its value. */
    record Entry(String key, int line, int column, SourceNode value) {
    }

    record ListNode(String path, int line, int column, List<SourceNode> items) implements SourceNode {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return items.isEmpty() ? "an empty list" : "a list";
        }
    }

    /** What a scalar is: YAML resolves {@code 5} to an integer, {@code true} to a boolean, etc. */
    enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN, NULL, OTHER }

    /**
     * A scalar. {@code text} is its text as written (for numbers, the canonical text);
     * {@code integer} is set for {@link ScalarType#INTEGER}, {@code decimal} for numbers.
     */
    record Scalar(String path, int line, int column, ScalarType type, String text,
                  BigInteger integer, double decimal) implements SourceNode {

        @Override
        public String describe() {
            return switch (type) {
                case STRING -> text.isEmpty() ? "an empty string" : "a string ('" + shorten(text) + "')";
                case INTEGER, DECIMAL -> "a number (" + shorten(text) + ")";
                case BOOLEAN -> "a boolean (" + text + ")";
                case NULL -> "an empty value (null)";
                case OTHER -> "a value of an unsupported type (" + shorten(text) + ")";
            };
        }

        private static String shorten(String s) {
            String oneLine = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
            return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
        }
    }
}
