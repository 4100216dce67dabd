package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wirelab.netstack.testing.Gen;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Whatever the input, reading a topology either gives a valid model or throws a
 * {@link TopologyException} whose every problem has a path and a message; never anything else.
 */
class TopologyPropertiesTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final List<String> EXAMPLE_TEXTS = loadExamples();
    private static final List<JsonNode> EXAMPLE_TREES = EXAMPLE_TEXTS.stream().map(YAML::readTree).toList();

    private static List<String> loadExamples() {
        try (Stream<Path> files = Files.list(ExamplesTest.examplesDir())) {
            List<String> texts = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                texts.add(Files.readString(p));
            }
            texts.add(TopologyErrorsTest.BASE);
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contract every input must satisfy. */
    static void checkContract(String text, boolean yaml) {
        Topology t;
        try {
            t = yaml ? Topologies.parseYaml(text) : Topologies.parseJson(text);
        } catch (TopologyException e) {
            assertThat(e.problems()).isNotEmpty();
            for (Problem p : e.problems()) {
                assertThat(p.path()).as("path of %s", p).isNotBlank();
                assertThat(p.message()).as("message of %s", p).isNotBlank().doesNotContain("internal error");
                assertThat(p.line()).isNotNegative();
            }
            assertThat(yaml ? Topologies.checkYaml(text) : Topologies.checkJson(text))
                    .containsExactlyElementsOf(e.problems());
            return;
        }
        // Accepted: it must be valid as a model too and survive a write/read round trip.
        assertThat(Topologies.validate(t)).isEmpty();
        assertThat(Topologies.parseYaml(Topologies.toYaml(t))).isEqualTo(t);
        assertThat(Topologies.parseJson(Topologies.toJson(t))).isEqualTo(t);
    }

    // ---- structural mutations of valid topologies ----

    static LongStream seeds200() {
        return Gen.seeds(200);
    }

    static LongStream seeds250() {
        return Gen.seeds(250);
    }

    static LongStream seeds300() {
        return Gen.seeds(300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds250")
    void mutatedTopologiesNeverThrowAnythingElse(long seed) {
        Random rnd = Gen.random(seed);
        int example = Gen.between(rnd, 0, 4);
        int mutations = Gen.between(rnd, 1, 4);
        boolean asYaml = rnd.nextBoolean();
        JsonNode tree = EXAMPLE_TREES.get(example % EXAMPLE_TREES.size()).deepCopy();
        for (int i = 0; i < mutations; i++) {
            mutate(tree, rnd);
        }
        String text = asYaml ? YAML.writeValueAsString(tree) : JSON.writeValueAsString(tree);
        checkContract(text, asYaml);
    }

    /** Applies one random mutation somewhere in the tree (the root itself is never replaced). */
    static void mutate(JsonNode root, Random rnd) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(root, containers);
        JsonNode target = containers.get(rnd.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.propertyNames().forEach(keys::add);
            String key = keys.isEmpty() ? "x" : keys.get(rnd.nextInt(keys.size()));
            switch (rnd.nextInt(5)) {
                case 0 -> o.remove(key);
                case 1 -> { // rename: a typo or a random word
                    JsonNode v = o.remove(key);
                    o.set(rnd.nextBoolean() ? typo(key, rnd) : randomString(rnd), v == null ? F.nullNode() : v);
                }
                case 2 -> o.set(key, randomValue(rnd, 2));
                case 3 -> o.set(randomString(rnd), randomValue(rnd, 1));
                default -> o.set(key, F.stringNode(randomString(rnd)));
            }
        } else if (target instanceof ArrayNode a) {
            int n = a.size();
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    if (n > 0) {
                        a.remove(rnd.nextInt(n));
                    }
                }
                case 1 -> {
                    if (n > 0) {
                        a.add(a.get(rnd.nextInt(n)).deepCopy());
                    }
                }
                case 2 -> a.add(randomValue(rnd, 2));
                default -> {
                    if (n > 0) {
                        a.set(rnd.nextInt(n), randomValue(rnd, 1));
                    }
                }
            }
        }
    }

    private static void collectContainers(JsonNode n, List<JsonNode> out) {
        if (n.isContainer()) {
            out.add(n);
            for (Iterator<JsonNode> it = n.values().iterator(); it.hasNext(); ) {
                collectContainers(it.next(), out);
            }
        }
    }

    private static final String[] WORDS = {"", " ", "lan", "core", "r1", "eth0", "host", "router", "dhcp",
            "10.0.0.1", "10.0.0.1/24", "10.0.0.0/8", "0.0.0.0/0", "default", "300.1.1.1/24", "10.0.0.1/33",
            "2ms", "1.5s", "-1ms", "10mbit", "0bit", "5%", "150%", "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff",
            "10.255.0.2:4789", ":0", "a b", "x.y", "é", "\u0000", "\n", "true", "null", "~", "<<", "{}", "[]",
            "segment", "address", "interfaces", "routes", "via", "to", "dev", "mtu", "vni", "kind", "name"};

    static String randomString(Random rnd) {
        if (rnd.nextInt(4) == 0) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(12);
            for (int i = 0; i < len; i++) {
                sb.append((char) (rnd.nextBoolean() ? 32 + rnd.nextInt(95) : rnd.nextInt(0x3000)));
            }
            return sb.toString();
        }
        return WORDS[rnd.nextInt(WORDS.length)];
    }

    static String typo(String s, Random rnd) {
        if (s.isEmpty()) {
            return "x";
        }
        StringBuilder sb = new StringBuilder(s);
        int i = rnd.nextInt(sb.length());
        switch (rnd.nextInt(3)) {
            case 0 -> sb.deleteCharAt(i);
            case 1 -> sb.insert(i, (char) ('a' + rnd.nextInt(26)));
            default -> sb.setCharAt(i, Character.toUpperCase(sb.charAt(i)));
        }
        return sb.toString();
    }

    static JsonNode randomValue(Random rnd, int depth) {
        int choice = rnd.nextInt(depth > 0 ? 10 : 8);
        return switch (choice) {
            case 0 -> F.numberNode(rnd.nextInt(20_000_000) - 10);
            case 1 -> F.numberNode(rnd.nextLong());
            case 2 -> F.numberNode(rnd.nextBoolean() ? rnd.nextDouble() * 3 - 1 : Double.NaN);
            case 3 -> F.booleanNode(rnd.nextBoolean());
            case 4 -> F.nullNode();
            case 5, 6, 7 -> F.stringNode(randomString(rnd));
            case 8 -> {
                ArrayNode a = F.arrayNode();
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    a.add(randomValue(rnd, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    o.set(randomString(rnd), randomValue(rnd, depth - 1));
                }
                yield o;
            }
        };
    }

    // ---- text-level damage ----

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds250")
    void damagedTextNeverThrowsAnythingElse(long seed) {
        Random rnd = Gen.random(seed);
        int example = Gen.between(rnd, 0, 4);
        int edits = Gen.between(rnd, 1, 5);
        StringBuilder sb = new StringBuilder(EXAMPLE_TEXTS.get(example % EXAMPLE_TEXTS.size()));
        String specials = ":-[]{},#&*!|>'\"%@`\t\n ";
        for (int i = 0; i < edits && !sb.isEmpty(); i++) {
            int at = rnd.nextInt(sb.length());
            switch (rnd.nextInt(4)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + rnd.nextInt(20)));
                case 1 -> sb.insert(at, specials.charAt(rnd.nextInt(specials.length())));
                case 2 -> sb.insert(at, randomString(rnd));
                default -> { // duplicate a line: duplicate keys, repeated items
                    int start = sb.lastIndexOf("\n", at) + 1;
                    int end = sb.indexOf("\n", at);
                    if (end > start) {
                        sb.insert(start, sb.substring(start, end + 1));
                    }
                }
            }
        }
        checkContract(sb.toString(), true);
    }

    private static final List<String> YAMLISH_TOKENS = List.of("name", "segments", "nodes", "kind", "interfaces",
            "routes", "links", "external", "bus", "seed", "segment", "address", "to", "via", "host", "router", "lan",
            "10.0.0.1/24", "2ms", "0.5", "1", "-", ": ", ":", "\n", "\n  ", "\n    ", "[", "]", "{", "}", ", ", "#",
            "&a ", "*a", "!!binary ", "!!str ", "'", "\"", "---\n", "...\n", "|\n", ">\n", "~", "null",
            "<<: ", "? ", "%YAML 1.2\n", "\t", "\\u0000");

    /** Up to 60 tokens, each one of YAML's own words and signs or (half the time) up to 5 arbitrary characters. */
    static String yamlish(Random rnd) {
        return String.join("", Gen.list(rnd, 0, 60, r -> r.nextBoolean() ? Gen.oneOf(r, YAMLISH_TOKENS) : Gen.string(r, 0, 5)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds300")
    void randomYamlishTextNeverThrowsAnythingElse(long seed) {
        checkContract(yamlish(Gen.random(seed)), true);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds200")
    void randomJsonishTextNeverThrowsAnythingElse(long seed) {
        checkJsonish(yamlish(Gen.random(seed)));
    }

    private static void checkJsonish(String text) {
        checkContract("{" + text.replace("'", "\"") + "}", false);
    }

    /** The edge cases of the token lists: none, and each token alone. */
    @Test
    void yamlishAndJsonishEdgeCasesNeverThrowAnythingElse() {
        checkContract("", true);
        checkJsonish("");
        for (String token : YAMLISH_TOKENS) {
            checkContract(token, true);
            checkJsonish(token);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds200")
    void arbitraryStringsNeverThrowAnythingElse(long seed) {
        Random rnd = Gen.random(seed);
        checkContract(Gen.string(rnd, 0, 255), rnd.nextBoolean());
    }

    /** The edge cases of strings: empty, a NUL, and single characters at the ends of the ranges generated. */
    @ParameterizedTest(name = "as YAML {0}")
    @ValueSource(booleans = {true, false})
    void arbitraryStringEdgeCasesNeverThrowAnythingElse(boolean asYaml) {
        for (String text : List.of("", "\u0000", " ", "~", "\ufffd", "\u00a0", "\ufffd".repeat(255), " ".repeat(255))) {
            checkContract(text, asYaml);
        }
    }
}
