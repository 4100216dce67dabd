package dev.wirelab.netstack.lab.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each kind of mistake gives the expected path and message, and all mistakes are reported at once. */
class TopologyErrorsTest {

    /** A small valid lab; tests replace one piece of it. */
    static final String BASE = """
            name: t
            segments: [lan, core]
            nodes:
              pc1:
                kind: host
                interfaces:
                  eth0: { segment: lan, address: 10.0.1.10/24 }
                routes:
                  - { to: default, via: 10.0.1.1 }
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan, address: 10.0.1.1/24 }
                  eth1: { segment: core, address: 10.0.0.1/30 }
            """;

    static List<Problem> problems(String yaml) {
        return Topologies.checkYaml(yaml);
    }

    /** Asserts that {@code yaml} has exactly one problem, at {@code path}, whose message has all fragments. */
    static Problem single(String yaml, String path, String... fragments) {
        List<Problem> ps = problems(yaml);
        assertThat(ps).as("problems of:\n%s", yaml).hasSize(1);
        Problem p = ps.get(0);
        assertThat(p.path()).as(p.toString()).isEqualTo(path);
        assertThat(p.message()).as(p.toString()).contains(fragments);
        // parseYaml throws the same list
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> Topologies.parseYaml(yaml));
        assertThat(e.problems()).containsExactlyElementsOf(ps);
        assertThat(e.getMessage()).contains(p.toString());
        return p;
    }

    static String base(String from, String to) {
        assertThat(BASE).contains(from);
        return BASE.replace(from, to);
    }

    @Test
    void baseIsValid() {
        assertThat(problems(BASE)).isEmpty();
    }

    @Nested
    class References {
        @Test
        void unknownSegmentListsKnownOnesAndSuggests() {
            Problem p = single(base("eth0: { segment: lan, address: 10.0.1.10/24 }",
                            "eth0: { segment: lna, address: 10.0.1.10/24 }"),
                    "nodes.pc1.interfaces.eth0.segment", "unknown segment 'lna'", "'lan', 'core'", "did you mean 'lan'?");
            assertThat(p.line()).isEqualTo(7);
            assertThat(p.column()).isGreaterThan(1);
        }

        @Test
        void unknownSegmentInLinksAndExternal() {
            List<Problem> ps = problems(BASE + """
                    links:
                      cor: { delay: 1ms }
                    external:
                      - { segment: wan, remote: 10.255.0.2 }
                    """);
            assertThat(ps).extracting(Problem::path).containsExactly("links.cor", "external[0].segment");
            assertThat(ps.get(0).message()).contains("unknown segment 'cor'", "did you mean 'core'?");
            assertThat(ps.get(1).message()).contains("unknown segment 'wan'");
        }

        @Test
        void interfaceOnTheSameSegmentTwice() {
            single(base("eth1: { segment: core, address: 10.0.0.1/30 }", "eth1: { segment: lan, address: 10.0.2.1/24 }"),
                    "nodes.r1.interfaces.eth1.segment", "already has interface 'eth0' on segment 'lan'");
        }

        @Test
        void unknownKindListsKinds() {
            single(base("kind: host", "kind: hots"), "nodes.pc1.kind",
                    "unknown kind 'hots'", "'host', 'router'", "did you mean 'host'?");
        }

        @Test
        void routeDevMustBeAnInterfaceOfTheNode() {
            single(base("- { to: default, via: 10.0.1.1 }", "- { to: default, via: 10.0.1.1, dev: eth1 }"),
                    "nodes.pc1.routes[0].dev", "no interface 'eth1'", "'eth0'", "did you mean 'eth0'?");
        }
    }

    @Nested
    class Addresses {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "10.0.1.300/24 | 300 is more than 255",
                "10.0.1.10     | has no prefix length: write it as address/prefix, e.g. 10.0.1.10/24",
                "10.0.1.10/33  | prefix length 33 is more than 32",
                "10.0.1.10/x   | prefix length 'x' is not a number",
                "10.0.1/24     | need four numbers",
                "10.0.01.10/24 | leading zero",
                "lan-host      | not an IPv4 address",
                "10.0.1.10/0   | prefix length 0",
                "127.0.0.1/8   | loopback",
                "224.0.0.1/24  | multicast",
                "0.0.0.5/24    | 'this network'",
                "10.0.1.0/24   | is the network address of 10.0.1.0/24; pick a host address such as 10.0.1.1/24",
                "10.0.1.255/24 | is the broadcast address of 10.0.1.0/24; pick a host address such as 10.0.1.254/24",
        })
        void badInterfaceAddress(String address, String fragment) {
            String yaml = base("eth0: { segment: lan, address: 10.0.1.10/24 }",
                    "eth0: { segment: lan, address: \"" + address + "\" }");
            List<Problem> ps = problems(yaml);
            // A bad address may also make pc1's route unverifiable, never wrongly reported.
            assertThat(ps).hasSize(1);
            assertThat(ps.get(0).path()).isEqualTo("nodes.pc1.interfaces.eth0.address");
            assertThat(ps.get(0).message()).contains(fragment);
        }

        @Test
        void slash31And32HaveNoNetworkOrBroadcastAddress() {
            // RFC 3021: both addresses of a /31 are usable.
            String yaml = BASE.replace("10.0.0.1/30", "10.0.0.0/31") + """
                      r2:
                        kind: router
                        interfaces:
                          eth0: { segment: core, address: 10.0.0.1/31 }
                          lo1: { segment: lan, address: 10.0.1.99/32 }
                    """;
            assertThat(problems(yaml)).isEmpty();
        }

        @Test
        void duplicateAddressOnOneSegment() {
            single(BASE + """
                      pc2:
                        kind: host
                        interfaces:
                          eth0: { segment: lan, address: 10.0.1.10/24 }
                    """, "nodes.pc2.interfaces.eth0.address", "10.0.1.10 is already used by pc1.eth0 on segment 'lan'");
        }

        @Test
        void sameAddressOnDifferentSegmentsIsFine() {
            assertThat(problems(BASE + """
                      pc2:
                        kind: host
                        interfaces:
                          eth0: { segment: core, address: 10.0.1.10/24 }
                    """)).isEmpty();
        }

        @Test
        void staticAddressAndDhcpExcludeEachOther() {
            single(base("eth0: { segment: lan, address: 10.0.1.10/24 }",
                            "eth0: { segment: lan, address: 10.0.1.10/24, dhcp: true }"),
                    "nodes.pc1.interfaces.eth0.dhcp", "both a static address and dhcp: true");
        }

        @Test
        void macAddresses() {
            single(base("address: 10.0.1.10/24 }", "address: 10.0.1.10/24, mac: \"02:00:00:00:00:zz\" }"),
                    "nodes.pc1.interfaces.eth0.mac", "not a MAC address");
            single(base("address: 10.0.1.10/24 }", "address: 10.0.1.10/24, mac: \"01:00:5e:00:00:01\" }"),
                    "nodes.pc1.interfaces.eth0.mac", "not a unicast MAC address");
            single(base("address: 10.0.1.10/24 }", "address: 10.0.1.10/24, mac: \"02:00:00:00:00:01\" }")
                            .replace("address: 10.0.1.1/24 }", "address: 10.0.1.1/24, mac: \"02:00:00:00:00:01\" }"),
                    "nodes.r1.interfaces.eth0.mac", "02:00:00:00:00:01 is already used by pc1.eth0 on segment 'lan'");
        }
    }

    @Nested
    class Routes {
        @Test
        void viaMustBeOnAConnectedSubnet() {
            single(base("via: 10.0.1.1 }", "via: 10.0.9.1 }"), "nodes.pc1.routes[0].via",
                    "10.0.9.1 is not on any subnet directly connected to 'pc1' (eth0 10.0.1.0/24)");
        }

        @Test
        void viaMustBeOnTheDevSubnet() {
            single(BASE.replace("eth1: { segment: core, address: 10.0.0.1/30 }",
                            "eth1: { segment: core, address: 10.0.0.1/30 }\n    routes:\n      - { to: 10.0.2.0/24, via: 10.0.0.2, dev: eth0 }"),
                    "nodes.r1.routes[0].via", "10.0.0.2 is not in the subnet of interface 'eth0' of 'r1' (10.0.1.0/24)");
        }

        @Test
        void viaMustNotBeTheNodeItself() {
            single(base("via: 10.0.1.1 }", "via: 10.0.1.10 }"), "nodes.pc1.routes[0].via", "is an address of 'pc1' itself");
        }

        @Test
        void destinationWithHostBits() {
            single(base("to: default", "to: 10.1.2.3/8"), "nodes.pc1.routes[0].to",
                    "10.1.2.3/8 has host bits set", "did you mean 10.0.0.0/8?");
        }

        @Test
        void duplicateDestination() {
            single(base("- { to: default, via: 10.0.1.1 }", "- { to: default, via: 10.0.1.1 }\n      - { to: 0.0.0.0/0, via: 10.0.1.1 }"),
                    "nodes.pc1.routes[1].to", "already has a route to 0.0.0.0/0");
        }

        @Test
        void routeNeedsViaOrDev() {
            single(base("- { to: default, via: 10.0.1.1 }", "- { to: default }"), "nodes.pc1.routes[0]", "needs 'via'");
            assertThat(problems(base("- { to: default, via: 10.0.1.1 }", "- { to: 10.9.0.0/16, dev: eth0 }"))).isEmpty();
        }

        @Test
        void bareAddressIsAHostRoute() {
            Topology t = Topologies.parseYaml(base("to: default", "to: 10.9.9.9"));
            assertThat(t.nodes().get("pc1").routes().get(0).to()).hasToString("10.9.9.9/32");
        }

        @Test
        void laterRoutesKeepTheirPathWhenAnEarlierOneIsDropped() {
            List<Problem> ps = problems(base("- { to: default, via: 10.0.1.1 }",
                    "- { via: 10.0.1.1 }\n      - 7\n      - { to: 10.5.0.0/16, via: 10.0.7.7 }"));
            assertThat(ps).extracting(Problem::path)
                    .containsExactly("nodes.pc1.routes[0].to", "nodes.pc1.routes[1]", "nodes.pc1.routes[2].via");
        }
    }

    @Nested
    class Structure {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "segments: [lan, core] | segmnts: [lan, core] | segmnts      | did you mean 'segments'?",
                "'    kind: router' | '    kind: router\n    forwardng: false' | nodes.r1.forwardng | did you mean 'forwarding'?",
                "segment: lan, address: 10.0.1.10/24 | segment: lan, adress: 10.0.1.10/24 | nodes.pc1.interfaces.eth0.adress | did you mean 'address'?",
                "to: default, via: 10.0.1.1 | to: default, gateway: 10.0.1.1 | nodes.pc1.routes[0].gateway | allowed: 'to', 'via', 'dev'",
        })
        void unknownFields(String from, String to, String path, String fragment) {
            List<Problem> ps = problems(base(from, to.replace("\\n", "\n")));
            assertThat(ps).extracting(Problem::path).contains(path);
            Problem p = ps.stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
            assertThat(p.message()).contains("unknown field", fragment);
            assertThat(p.line()).isPositive();
        }

        @Test
        void unknownFieldsInLinksExternalAndBus() {
            List<Problem> ps = problems(BASE + """
                    links:
                      lan: { delays: 2ms }
                    external:
                      - { segment: lan, remot: 10.255.0.2 }
                    bus: { bnd: 0.0.0.0 }
                    """);
            // A missing field is placed at its mapping's start, so it comes before the misspelt key.
            assertThat(ps).extracting(Problem::path).containsExactly(
                    "links.lan.delays", "external[0].remote", "external[0].remot", "bus.bnd");
            assertThat(ps.get(0).message()).contains("did you mean 'delay'?");
            assertThat(ps.get(1).message()).isEqualTo("missing required field 'remote'");
            assertThat(ps.get(2).message()).contains("did you mean 'remote'?");
            assertThat(ps.get(3).message()).contains("did you mean 'bind'?");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "name: t | '' | name | missing required field 'name'",
                "    kind: host | '' | nodes.pc1.kind | missing required field 'kind' (one of 'host', 'router', 'dhcp', 'dns', 'web')",
                "segment: lan, address: 10.0.1.10/24 | address: 10.0.1.10/24 | nodes.pc1.interfaces.eth0.segment | missing required field 'segment'",
                "name: t | 'name: ' | name | a name must not be empty",
                "name: t | 'name: null' | name | 'name' must have a value",
        })
        void missingRequiredFields(String from, String to, String path, String message) {
            List<Problem> ps = problems(base(from, to));
            assertThat(ps).extracting(Problem::path).contains(path);
            assertThat(ps.stream().filter(p -> p.path().equals(path)).findFirst().orElseThrow().message())
                    .isEqualTo(message);
        }

        @Test
        void missingInterfacesAndNoNodes() {
            single("name: t\nsegments: [a]\nnodes:\n  x: { kind: host }\n", "nodes.x.interfaces",
                    "missing required field 'interfaces'");
            single("name: t\nsegments: [a]\nnodes:\n  x: { kind: host, interfaces: {} }\n", "nodes.x.interfaces",
                    "needs at least one interface");
            single("name: t\nsegments: [a]\nnodes: {}\n", "nodes", "at least one node");
            single("name: t\nsegments: []\nnodes: { x: { kind: host, interfaces: { e: { segment: a } } } }\n",
                    "segments", "at least one segment");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "eth0: { segment: lan, address: 10.0.1.10/24 } | eth0: 5 | nodes.pc1.interfaces.eth0 | must be a mapping with 'segment'; got a number (5)",
                "segments: [lan, core] | segments: lan | segments | must be a list of segment names; got a string ('lan')",
                "segments: [lan, core] | segments: [lan, 5] | segments[1] | got a number (5) (quote it, \"5\", if you mean the text)",
                "'    kind: host' | '    kind: [host]' | nodes.pc1.kind | must be a node kind; got a list",
                "segment: lan, address: 10.0.1.10/24 | segment: lan, address: 10 | nodes.pc1.interfaces.eth0.address | got a number (10)",
                "address: 10.0.1.10/24 } | address: 10.0.1.10/24, dhcp: yes } | nodes.pc1.interfaces.eth0.dhcp | must be true or false; YAML 1.2",
                "address: 10.0.1.10/24 } | address: 10.0.1.10/24, mtu: '1500' } | nodes.pc1.interfaces.eth0.mtu | must be a whole number from 68 to 9000; got a string ('1500')",
                "routes: | 'routes: 3\n    x:' | nodes.pc1.routes | must be a list of routes",
                "- { to: default, via: 10.0.1.1 } | - default | nodes.pc1.routes[0] | a route must be a mapping",
        })
        void wrongTypes(String from, String to, String path, String fragments) {
            List<Problem> ps = problems(base(from, to.replace("\\n", "\n")));
            assertThat(ps).extracting(Problem::path).contains(path);
            Problem p = ps.stream().filter(x -> x.path().equals(path)).findFirst().orElseThrow();
            assertThat(p.message()).contains(fragments.split("; "));
        }

        @Test
        void wrongTypesAtTheTop() {
            single(BASE + "seed: 1.5\n", "seed", "must be a whole number (64-bit), got a number (1.5)");
            single(BASE + "seed: 99999999999999999999\n", "seed", "must fit in 64 bits");
            single(BASE + "links: [lan]\n", "links", "must be a mapping of segment name to impairments");
            single(BASE + "external: { segment: lan }\n", "external", "must be a list of external VXLAN ports");
            assertThat(problems(BASE.replace("nodes:", "nodes: 3\nx:"))).extracting(Problem::path, Problem::message)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("nodes", "must be a mapping of node name to node "
                                    + "({kind, interfaces, ...}), got a number (3)"),
                            org.assertj.core.groups.Tuple.tuple("x", "unknown field 'x' in the topology (allowed: "
                                    + "'name', 'segments', 'nodes', 'links', 'external', 'bus', 'seed')"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   \n", "# nothing but a comment\n", "---\n", "null\n", "~\n"})
        void emptyDocument(String yaml) {
            TopologyException e = catchThrowableOfType(TopologyException.class, () -> Topologies.parseYaml(yaml));
            assertThat(e.problems()).hasSize(1);
            assertThat(e.problems().get(0).path()).isEqualTo(Problem.ROOT);
            assertThat(e.problems().get(0).message()).containsAnyOf("empty", "must be a mapping");
        }

        @Test
        void emptyMappingNamesEveryRequiredField() {
            assertThat(problems("{}")).extracting(Problem::path).containsExactly("name", "segments", "nodes");
        }

        @Test
        void notAMapping() {
            single("[a, b]", Problem.ROOT, "a topology must be a mapping", "got a list");
            single("just text", Problem.ROOT, "a topology must be a mapping", "got a string ('just text')");
        }

        @Test
        void duplicateKeysAreReportedWithBothLines() {
            Problem p = single(BASE + """
                      pc1:
                        kind: host
                        interfaces: { eth0: { segment: core, address: 10.0.0.2/30 } }
                    """, "nodes.pc1", "'pc1' is given twice (first at line 4)");
            assertThat(p.line()).isEqualTo(15);
            single(base("eth0: { segment: lan, address: 10.0.1.10/24 }",
                            "eth0: { segment: lan, segment: core, address: 10.0.1.10/24 }"),
                    "nodes.pc1.interfaces.eth0.segment", "given twice");
        }

        @Test
        void malformedYamlHasLineAndColumn() {
            Problem p = single("name: t\nsegments: [lan\nnodes: {}\n", Problem.ROOT, "YAML syntax error");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.column()).isPositive();
            assertThat(p.message()).doesNotContain("\n", "Source", "tools.jackson");
            single("a:\n\tb: c\n", Problem.ROOT, "YAML syntax error", "TAB");
            single("name: a\n---\nname: b\n", Problem.ROOT, "one topology per file");
        }

        @Test
        void malformedJsonHasLineAndColumn() {
            List<Problem> ps = Topologies.checkJson("{\n  \"name\": \"t\",\n  \"segments\": [\"a\",]\n}");
            assertThat(ps).hasSize(1);
            assertThat(ps.get(0).path()).isEqualTo(Problem.ROOT);
            assertThat(ps.get(0).message()).startsWith("JSON syntax error").doesNotContain("\n");
            assertThat(ps.get(0).line()).isEqualTo(3);
            assertThat(Topologies.checkJson("{\"name\": \"t\"} {}")).singleElement()
                    .extracting(Problem::message).asString().contains("after the end");
            assertThat(Topologies.checkJson("{\"name\": \"a\", \"name\": \"b\"}")).extracting(Problem::message)
                    .anyMatch(m -> m.contains("'name' is given twice"));
        }
    }

    @Nested
    class Names {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "name: t | name: my lab | name",
                "'  pc1:' | '  \"pc 1\":' | nodes[\"pc 1\"]",
                "'  r1:' | '  r/1:' | nodes[\"r/1\"]",
                "eth1: { segment: core | 'eth1!: { segment: core' | nodes.r1.interfaces[\"eth1!\"]",
        })
        void invalidNames(String from, String to, String path) {
            List<Problem> ps = problems(base(from, to));
            assertThat(ps).extracting(Problem::path).contains(path);
            assertThat(ps.stream().filter(p -> p.path().equals(path)).findFirst().orElseThrow().message())
                    .contains("is not a valid name: use only letters, digits, '_', '.' and '-'");
        }

        @Test
        void invalidSegmentNameAndTooLongInterfaceName() {
            List<Problem> ps = problems(BASE.replace("segments: [lan, core]", "segments: [lan, core, \"a b\"]")
                    .replace("eth1: { segment: core", "ethernet-number-one: { segment: core"));
            assertThat(ps).extracting(Problem::path)
                    .containsExactly("segments[2]", "nodes.r1.interfaces.ethernet-number-one");
            assertThat(ps.get(1).message()).contains("too long (19 characters, at most 15)");
        }

        @Test
        void dottedNamesAreQuotedInPaths() {
            single(BASE.replace("  r1:", "  r1.lab:").replace("eth1: { segment: core, address: 10.0.0.1/30 }",
                    "eth1: { segment: cor, address: 10.0.0.1/30 }"), "nodes[\"r1.lab\"].interfaces.eth1.segment",
                    "unknown segment 'cor'");
        }
    }

    @Nested
    class Segments {
        @Test
        void vnisAreAssignedInOrderSkippingExplicitOnes() {
            Topology t = Topologies.parseYaml(BASE.replace("segments: [lan, core]",
                    "segments: [lan, {name: core, vni: 1}, c, {name: d, vni: 3}, e]"));
            assertThat(t.segments()).extracting(SegmentSpec::vni).containsExactly(2, 1, 4, 3, 5);
        }

        @Test
        void vniRangeAndUniqueness() {
            single(BASE.replace("segments: [lan, core]", "segments: [lan, {name: core, vni: 16777216}]"),
                    "segments[1].vni", "must be from 1 to 16777215, got 16777216");
            single(BASE.replace("segments: [lan, core]", "segments: [{name: lan, vni: 7}, {name: core, vni: 7}]"),
                    "segments[1].vni", "VNI 7 is already used by segment 'lan'");
            single(BASE.replace("segments: [lan, core]", "segments: [lan, core, lan]"),
                    "segments[2]", "segment 'lan' is listed twice");
        }

        @Test
        void mtu() {
            single(BASE.replace("segments: [lan, core]", "segments: [lan, {name: core, mtu: 40}]"),
                    "segments[1].mtu", "must be from 68 to 9000, got 40");
            single(BASE.replace("segments: [lan, core]", "segments: [lan, {name: core, mtu: 576, colour: red}]"),
                    "segments[1].colour", "unknown field 'colour'");
            Topology t = Topologies.parseYaml(BASE.replace("segments: [lan, core]", "segments: [lan, {name: core, mtu: 576}]")
                    .replace("address: 10.0.1.1/24 }", "address: 10.0.1.1/24, mtu: 1400 }"));
            assertThat(t.effectiveMtu("r1", "eth0")).isEqualTo(1400);
            assertThat(t.effectiveMtu("r1", "eth1")).isEqualTo(576);
            assertThat(t.effectiveMtu("pc1", "eth0")).isEqualTo(1500);
        }
    }

    @Nested
    class Links {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "delay: 2         | links.lan.delay     | '2' has no unit",
                "delay: 2m        | links.lan.delay     | unknown duration unit 'm'",
                "delay: -1ms      | links.lan.delay     | negative",
                "delay: 1.5ns     | links.lan.delay     | finer than one nanosecond",
                "delay: 2h        | links.lan.delay     | unknown duration unit",
                "jitter: [1ms]    | links.lan.jitter    | must be a duration such as 2ms",
                "loss: -0.1       | links.lan.loss      | -0.1 is not a probability",
                "loss: 1.5        | links.lan.loss      | 1.5 is not a probability",
                "duplicate: 150%  | links.lan.duplicate | not a probability",
                "reorder: often   | links.lan.reorder   | 'often' is not a probability",
                "corrupt: true    | links.lan.corrupt   | must be a probability",
                "loss: .nan       | links.lan.loss      | not a probability",
                "rate: 10mbps     | links.lan.rate      | ambiguous",
                "rate: 0kbit      | links.lan.rate      | zero",
                "rate: 10         | links.lan.rate      | has no unit",
                "rate: fast       | links.lan.rate      | not a rate",
                "rate: 2tbit      | links.lan.rate      | too high",
        })
        void badImpairments(String field, String path, String fragment) {
            single(BASE + "links:\n  lan: { " + field + " }\n", path, fragment);
        }

        @Test
        void goodImpairments() {
            Topology t = Topologies.parseYaml(BASE + """
                    links:
                      lan: { delay: 1.5s, jitter: 250us, loss: 1%, duplicate: 0.5, reorder: 0, corrupt: 1, rate: 500kbit }
                      core: { delay: 0, rate: 1.5mbit }
                    """);
            assertThat(t.link("lan")).isEqualTo(new LinkSpec(1_500_000_000L, 250_000, 0.01, 0.5, 0, 1, 500_000));
            assertThat(t.link("core")).isEqualTo(new LinkSpec(0, 0, 0, 0, 0, 0, 1_500_000));
        }
    }

    @Nested
    class ExternalPortsAndBus {
        @Test
        void remoteWithAndWithoutPortAndDefaultNames() {
            Topology t = Topologies.parseYaml(BASE + """
                    external:
                      - { segment: lan, remote: 10.255.0.2 }
                      - { segment: core, remote: "vtep.example:8472", name: ext1 }
                      - { segment: core, remote: 10.255.0.3 }
                    """);
            assertThat(t.external()).containsExactly(
                    new ExternalPortSpec("ext2", "lan", "10.255.0.2", 4789),
                    new ExternalPortSpec("ext1", "core", "vtep.example", 8472),
                    new ExternalPortSpec("ext3", "core", "10.255.0.3", 4789));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "10.255.0.300      | '10.255.0.300' is not an IPv4 address",
                "10.255.0.2:0      | port '0' is not a UDP port",
                "10.255.0.2:http   | port 'http' is not a UDP port",
                "':4789'           | the remote host is missing",
                "bad_host!         | neither an IPv4 address nor a host name",
                "'[::1]:4789'      | IPv6",
        })
        void badRemote(String remote, String fragment) {
            single(BASE + "external:\n  - { segment: lan, remote: \"" + remote + "\" }\n", "external[0].remote", fragment);
        }

        @Test
        void duplicatePortsAndNames() {
            List<Problem> ps = problems(BASE + """
                    external:
                      - { name: x, segment: lan, remote: 10.255.0.2 }
                      - { name: x, segment: core, remote: 10.255.0.3 }
                      - { name: y, segment: lan, remote: "10.255.0.2:4789" }
                      - { name: pc1, segment: core, remote: 10.255.0.4 }
                    """);
            assertThat(ps).extracting(Problem::path)
                    .containsExactly("external[1].name", "external[2].remote", "external[3].name");
            assertThat(ps.get(0).message()).contains("used twice");
            assertThat(ps.get(1).message()).contains("'x' already joins segment 'lan' from 10.255.0.2:4789");
            assertThat(ps.get(2).message()).contains("already a node's name");
        }

        @Test
        void bus() {
            Topology t = Topologies.parseYaml(BASE + "bus: { port: 14789 }\n");
            assertThat(t.bus()).isEqualTo(new BusSpec(null, 14789));
            single(BASE + "bus: { bind: localhost }\n", "bus.bind", "'localhost' is not an IPv4 address");
            single(BASE + "bus: { port: 70000 }\n", "bus.port", "must be from 1 to 65535, got 70000");
        }
    }

    @Test
    void allProblemsAreReportedInFileOrder() {
        String yaml = """
                name: bad lab
                segments: [lan, core]
                nodes:
                  pc1:
                    kind: hots
                    interfaces:
                      eth0: { segment: lna, address: 10.0.1.0/24 }
                    routes:
                      - { to: default, via: 10.9.9.9 }
                  r1:
                    kind: router
                    interfaces:
                      eth0: { segment: lan, address: 10.0.1.1/24, mtu: 20 }
                links:
                  lan: { loss: 2 }
                seed: x
                """;
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> Topologies.parseYaml(yaml));
        assertThat(e.problems()).extracting(Problem::path).containsExactly(
                "name", "nodes.pc1.kind", "nodes.pc1.interfaces.eth0.segment", "nodes.pc1.interfaces.eth0.address",
                "nodes.r1.interfaces.eth0.mtu", "links.lan.loss", "seed");
        assertThat(e.problems()).allMatch(Problem::hasLocation);
        assertThat(e.getMessage()).startsWith("invalid topology (7 problems)");
    }

    @Test
    void modelBuiltInCodeIsValidatedWithoutPositions() {
        Topology t = new Topology("x", List.of(SegmentSpec.of("a", 1), SegmentSpec.of("b", 1)),
                java.util.Map.of("n", new NodeSpec("host", java.util.Map.of("e0", InterfaceSpec.of("c", "10.0.0.0/24")),
                        List.of(), false, KindSettings.NONE)),
                java.util.Map.of(), List.of(), null, null);
        List<Problem> ps = Topologies.validate(t);
        assertThat(ps).extracting(Problem::path).containsExactly(
                "segments[1].vni", "nodes.n.interfaces.e0.segment", "nodes.n.interfaces.e0.address");
        assertThat(ps).noneMatch(Problem::hasLocation);
    }

    @Test
    void unreadableFile() {
        assertThatThrownBy(() -> Topologies.parseYaml(java.nio.file.Path.of("no/such/file.yaml")))
                .isInstanceOf(TopologyException.class).hasMessageContaining("cannot read");
    }
}
