package dev.wirelab.netstack.lab.topology;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;
import tools.jackson.dataformat.yaml.util.StringQuotingChecker;

/**
 * Reads, checks and writes topology files. Every problem in a file is reported at once, each with
 * its path and line; reading never throws anything but {@link TopologyException}.
 *
 * <pre>{@code
 * Topology t = Topologies.parseYaml(Path.of("examples/three-segments.yaml"));
 * }</pre>
 */
public final class Topologies {

    /**
     * The writers' mappers, built on first write: a mapper costs a good part of a cold start (class
     * loading, serializer set-up), and a run that only reads a topology never needs one.
     */
    private static final class Writers {
        static final JsonMapper JSON_OUT = JsonMapper.builder().build();
        static final YAMLMapper YAML_OUT = YAMLMapper.builder(YAMLFactory.builder()
                        .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                        .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
                        .stringQuotingChecker(new ReadBackQuotingChecker())
                        .build())
                .build();

        /**
         * Leaves a string value unquoted only if the reader reads it back as that same string: Jackson's
         * own check misses YAML 1.2 numbers such as {@code 1e3} and {@code .inf}, which would turn a
         * segment named "1e3" into a number.
         */
        private static final class ReadBackQuotingChecker extends StringQuotingChecker.Default {
            @Override
            public boolean needToQuoteValue(String value) {
                // Colons too: YAML 1.1 tools read 02:00:00:00:00:01 as a base-60 number.
                return super.needToQuoteValue(value) || value.indexOf(':') >= 0 || !readsBackAsString(value);
            }

            private static boolean readsBackAsString(String value) {
                try (JsonParser p = SourceReader.YAML.createParser(ObjectReadContext.empty(), "v: " + value)) {
                    return p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.PROPERTY_NAME
                            && p.nextToken() == JsonToken.VALUE_STRING && value.equals(p.getString())
                            && p.nextToken() == JsonToken.END_OBJECT && p.nextToken() == null;
                } catch (RuntimeException e) {
                    return false;
                }
            }
        }
    }

    private Topologies() {
    }

    // ---- reading ----

    /** Reads and validates a YAML topology. */
    public static Topology parseYaml(String yaml) {
        return parseYaml(yaml, NodeKinds.standard());
    }

    public static Topology parseYaml(String yaml, NodeKinds kinds) {
        return orThrow(read(SourceReader.YAML, yaml, "YAML", kinds));
    }

    /** Reads and validates a YAML topology file (UTF-8). */
    public static Topology parseYaml(Path file) {
        return parseYaml(file, NodeKinds.standard());
    }

    public static Topology parseYaml(Path file, NodeKinds kinds) {
        return parseYaml(readFile(file), kinds);
    }

    /** Reads and validates a JSON topology (the REST shape; the same fields as YAML). */
    public static Topology parseJson(String json) {
        return parseJson(json, NodeKinds.standard());
    }

    public static Topology parseJson(String json, NodeKinds kinds) {
        return orThrow(read(SourceReader.JSON, json, "JSON", kinds));
    }

    /** Every problem of a YAML topology; empty when it is valid. */
    public static List<Problem> checkYaml(String yaml) {
        return read(SourceReader.YAML, yaml, "YAML", NodeKinds.standard()).problems();
    }

    /** Every problem of a JSON topology; empty when it is valid. */
    public static List<Problem> checkJson(String json) {
        return read(SourceReader.JSON, json, "JSON", NodeKinds.standard()).problems();
    }

    /** Every problem of a topology built in code; empty when it is valid. */
    public static List<Problem> validate(Topology topology) {
        return validate(topology, NodeKinds.standard());
    }

    public static List<Problem> validate(Topology topology, NodeKinds kinds) {
        Problems problems = new Problems();
        try {
            new TopologyValidator(kinds, problems, Paths::item).validate(topology);
        } catch (RuntimeException e) {
            problems.add(Problem.ROOT, internalError(e));
        }
        return problems.toList();
    }

    // ---- writing ----

    /** The topology in the file's shape, as a JSON tree (for REST responses). */
    public static JsonNode toTree(Topology topology) {
        return TopologyWriter.write(topology, NodeKinds.standard());
    }

    public static String toJson(Topology topology) {
        return Writers.JSON_OUT.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(topology));
    }

    public static String toYaml(Topology topology) {
        return Writers.YAML_OUT.writeValueAsString(toTree(topology));
    }

    // ---- internals ----

    private record Result(Topology topology, List<Problem> problems) {
    }

    private static Topology orThrow(Result r) {
        if (!r.problems().isEmpty()) {
            throw new TopologyException(r.problems());
        }
        return r.topology();
    }

    private static Result read(TokenStreamFactory factory, String text, String format, NodeKinds kinds) {
        // Syntax problems (incl. duplicate keys) apart: they must not hide checks at the same path.
        Problems syntax = new Problems();
        Problems problems = new Problems();
        Topology topology = null;
        SourceNode root = null;
        try {
            if (text == null) {
                syntax.add(Problem.ROOT, "no " + format + " text given");
                return new Result(null, syntax.toList());
            }
            root = SourceReader.read(factory, text, format, syntax);
            if (root != null) {
                TopologyBinder binder = new TopologyBinder(kinds, problems);
                topology = binder.bind(root);
                if (topology != null) {
                    new TopologyValidator(kinds, problems, binder::itemPath).validate(topology);
                }
            }
        } catch (RuntimeException e) {
            problems.add(Problem.ROOT, internalError(e));
        }
        List<Problem> sorted = new ArrayList<>(syntax.toList());
        sorted.addAll(problems.toList());
        if (root != null) {
            // Problems reported by path only (e.g. by a node kind's checks) get their position here.
            Function<String, SourceNode> locate = locator(root);
            sorted.replaceAll(p -> p.hasLocation() ? p : locate(p, locate));
        }
        // Text order, so the list reads like the file; problems without a position last.
        sorted.sort(Comparator.comparingInt((Problem p) -> p.line() == 0 ? Integer.MAX_VALUE : p.line())
                .thenComparingInt(Problem::column));
        return new Result(sorted.isEmpty() ? topology : null, sorted);
    }

    private static Problem locate(Problem p, Function<String, SourceNode> locate) {
        SourceNode at = Problem.ROOT.equals(p.path()) ? null : locate.apply(p.path());
        return at == null ? p : new Problem(p.path(), p.message(), at.line(), at.column());
    }

    private static String internalError(RuntimeException e) {
        return "internal error while checking the topology (please report this): " + e;
    }

    /** Finds the source node of a path, or of its nearest ancestor that exists. */
    private static Function<String, SourceNode> locator(SourceNode root) {
        Map<String, SourceNode> index = new HashMap<>();
        index(root, index);
        return path -> {
            String p = path;
            while (true) {
                SourceNode n = index.get(p);
                if (n != null || p.isEmpty()) {
                    return n;
                }
                p = parent(p);
            }
        };
    }

    private static void index(SourceNode n, Map<String, SourceNode> index) {
        index.put(n.path(), n);
        if (n instanceof SourceNode.MapNode m) {
            m.entries().values().forEach(e -> index(e.value(), index));
        } else if (n instanceof SourceNode.ListNode l) {
            l.items().forEach(i -> index(i, index));
        }
    }

    /** "a.b[2]" -> "a.b", "a.b" -> "a", "a[\"x.y\"]" -> "a", "a" -> "". */
    static String parent(String path) {
        if (path.endsWith("\"]")) {
            int open = path.lastIndexOf("[\"");
            return open < 0 ? "" : path.substring(0, open);
        }
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut <= 0 ? "" : path.substring(0, cut);
    }

    private static String readFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            throw new TopologyException(List.of(new Problem(Problem.ROOT, "cannot read " + file + ": " + e)));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TopologyException(List.of(new Problem(Problem.ROOT, file + " is not UTF-8 text")));
        }
    }
}
