package dev.wirelab.netstack.lab.topology;

import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dhcp and dns kinds, a router's dhcp_relay and every kind's resolver: what they read and how they complain. */
class ServiceKindsTest {

    static final String BASE = """
            name: k
            segments: [lan, lan2]
            nodes:
              r1:
                kind: router
                interfaces: { eth0: { segment: lan, address: 10.0.0.1/24 }, eth1: { segment: lan2, address: 10.0.2.1/24 } }
                dhcp_relay: { servers: [10.0.0.2], interfaces: [eth1] }
              d1:
                kind: dhcp
                interfaces: { eth0: { segment: lan, address: 10.0.0.2/24 } }
                pools:
                  - { range: 10.0.0.100-10.0.0.199, gateway: 10.0.0.1, dns: [10.0.0.53], domain: lab.test, lease: 2h,
                      exclude: [10.0.0.150-10.0.0.159, 10.0.0.170], reservations: { "02:00:00:00:00:99": 10.0.0.50 } }
                  - { subnet: 10.0.2.0/24, range: 10.0.2.100-10.0.2.199, gateway: 10.0.2.1, lease: 600, renew: 4m, rebind: 8m }
              ns1:
                kind: dns
                role: authoritative
                interfaces: { eth0: { segment: lan, address: 10.0.0.53/24 } }
                zones:
                  lab.test: |
                    $TTL 300
                    @ SOA ns1 hostmaster 1 3600 600 86400 60
                    @ NS ns1
                    ns1 A 10.0.0.53
              rec:
                kind: dns
                role: recursive
                interfaces: { eth0: { segment: lan, address: 10.0.0.54/24 } }
                root_hints: [ { name: a.root-servers.net, address: 10.0.0.53 } ]
              pc1:
                kind: host
                interfaces: { eth0: { segment: lan, dhcp: true } }
                resolver: { nameservers: [10.0.0.54], search: lab.test, hosts: { printer: 10.0.0.9, twin: [10.0.0.10, 10.0.0.11] } }
            """;

    @Test
    void everythingIsReadAndRoundTrips() {
        Topology t = Topologies.parseYaml(BASE);
        DhcpKind.Settings d = (DhcpKind.Settings) t.nodes().get("d1").settings();
        assertThat(d.pools()).hasSize(2);
        DhcpKind.Pool p = d.pools().get(0);
        assertThat(p.first()).isEqualTo(Ipv4Address.parse("10.0.0.100"));
        assertThat(p.lease()).isEqualTo(7200);
        assertThat(p.exclude()).containsExactly("10.0.0.150-10.0.0.159", "10.0.0.170");
        assertThat(p.reservations()).containsExactly(Map.entry(MacAddress.parse("02:00:00:00:00:99"), Ipv4Address.parse("10.0.0.50")));
        assertThat(p.effectiveSubnet(t.nodes().get("d1"))).isEqualTo(Ipv4Cidr.parse("10.0.0.0/24", true));
        DhcpKind.Pool p2 = d.pools().get(1);
        assertThat(p2.renew()).isEqualTo(240);
        assertThat(p2.rebind()).isEqualTo(480);
        RouterKind.Settings r = (RouterKind.Settings) t.nodes().get("r1").settings();
        assertThat(r.relay().servers()).containsExactly(Ipv4Address.parse("10.0.0.2"));
        assertThat(r.relay().interfaces()).containsExactly("eth1");
        DnsKind.Settings ns = (DnsKind.Settings) t.nodes().get("ns1").settings();
        assertThat(ns.parsedZones()).singleElement().satisfies(z -> assertThat(z.records()).hasSize(3));
        HostKind.Settings h = (HostKind.Settings) t.nodes().get("pc1").settings();
        assertThat(h.resolver().hosts()).containsEntry("twin", List.of(Ipv4Address.parse("10.0.0.10"), Ipv4Address.parse("10.0.0.11")));
        assertThat(Topologies.parseYaml(Topologies.toYaml(t))).isEqualTo(t);
        assertThat(Topologies.parseJson(Topologies.toJson(t))).isEqualTo(t);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            range outside      | 'range: 10.0.0.100-10.0.0.199, gateway' | 'range: 10.0.1.100-10.0.1.199, gateway' | nodes.d1.pools[0].range | range 10.0.1.100-10.0.1.199 is in no subnet of 'd1's interfaces; a pool served through a relay must give its 'subnet'
            not a range        | 'range: 10.0.0.100-10.0.0.199, gateway' | 'range: 10.0.0.100, gateway'             | nodes.d1.pools[0].range | '10.0.0.100' is not a range: write first-last, e.g. 192.168.1.100-192.168.1.199
            backwards          | 'range: 10.0.0.100-10.0.0.199, gateway' | 'range: 10.0.0.199-10.0.0.100, gateway' | nodes.d1.pools[0].range | range 10.0.0.199-10.0.0.100 ends before it starts
            own address        | 'range: 10.0.0.100-10.0.0.199, gateway' | 'range: 10.0.0.2-10.0.0.199, gateway'   | nodes.d1.pools[0].range | range 10.0.0.2-10.0.0.199 holds the server's own address 10.0.0.2; exclude it or move the range
            gateway elsewhere  | 'gateway: 10.0.2.1, lease: 600'          | 'gateway: 10.0.3.1, lease: 600'         | nodes.d1.pools[1].gateway | gateway 10.0.3.1 is not in the pool's subnet 10.0.2.0/24; clients could not reach it
            lease unit         | 'lease: 2h'                              | 'lease: 2 hours'                        | nodes.d1.pools[0].lease | must be a time such as 3600, 30m, 12h or 1d, got a string ('2 hours')
            lease too short    | 'lease: 2h'                              | 'lease: 30'                             | nodes.d1.pools[0].lease | must be from 60 to 2147483647 seconds, got 30
            timers             | 'renew: 4m, rebind: 8m'                  | 'renew: 9m, rebind: 8m'                 | nodes.d1.pools[1]       | renew (540 s) <= rebind (480 s) <= lease (600 s) must hold (RFC 2131 section 4.4.5)
            bad MAC            | '"02:00:00:00:00:99": 10.0.0.50'         | '"02:00:00:00:99": 10.0.0.50'           | nodes.d1.pools[0].reservations["02:00:00:00:99"] | '02:00:00:00:99' is not a MAC address: write six hex bytes separated by ':', e.g. 02:00:00:00:00:01
            unknown pool field | 'domain: lab.test'                       | 'domian: lab.test'                      | nodes.d1.pools[0].domian | unknown field 'domian' in a pool of node 'd1'; did you mean 'domain'? (allowed: 'range', 'subnet', 'exclude', 'reservations', 'gateway', 'dns', 'domain', 'lease', 'renew', 'rebind')
            no pool            | '    pools:'                              | '    poolz:'                             | nodes.d1.pool           | missing required field 'pool' (or 'pools'): a DHCP server needs addresses to hand out
            dhcp on server     | 'eth0: { segment: lan, address: 10.0.0.2/24 } }' | 'eth0: { segment: lan, dhcp: true } }' | nodes.d1.interfaces.eth0.dhcp | a DHCP server needs a static address, not dhcp: true
            unknown role       | 'role: recursive'                        | 'role: recursiv'                        | nodes.rec.role          | unknown role 'recursiv' (roles: 'authoritative', 'recursive'); did you mean 'recursive'?
            no hints           | 'root_hints: [ { name: a.root-servers.net, address: 10.0.0.53 } ]' | 'forwarders: []' | nodes.rec.root_hints | a recursive resolver needs root_hints (or forwarders) to start from
            zone line          | '@ NS ns1'                               | '@ NX ns1'                              | nodes.ns1.zones["lab.test"] | zone lab.test.: line 3: unknown record type 'NX' (known: A, AAAA, CNAME, MX, NS, PTR, SOA, TXT)
            zone without SOA   | '@ SOA ns1 hostmaster 1 3600 600 86400 60' | '; no SOA'                            | nodes.ns1.zones["lab.test"] | zone lab.test.: zone lab.test. has no SOA record at its origin
            zones on resolver  | 'role: authoritative'                    | 'role: recursive'                       | nodes.ns1.zones         | zones are for role authoritative; a recursive resolver learns from the root
            relay interface    | 'interfaces: [eth1]'                     | 'interfaces: [eth7]'                    | nodes.r1.dhcp_relay.interfaces[0] | node 'r1' has no interface 'eth7' (interfaces: 'eth0', 'eth1'); did you mean 'eth0'?
            relay to itself    | 'servers: [10.0.0.2]'                    | 'servers: [10.0.2.1]'                   | nodes.r1.dhcp_relay.servers | 10.0.2.1 is an address of 'r1' itself; relay to the DHCP server's address
            relay on host      | '    resolver: {'                         | '    dhcp_relay: { servers: [10.0.0.2] }\\n    resolver: {' | nodes.pc1.dhcp_relay | field 'dhcp_relay' is not allowed for kind host (only kind router has it)
            bad nameserver     | 'nameservers: [10.0.0.54]'               | 'nameservers: [10.0.0.300]'             | nodes.pc1.resolver.nameservers[0] | '10.0.0.300' is not an IPv4 address (300 is more than 255)
            """)
    void problemsArePrecise(String what, String from, String to, String path, String message) {
        String yaml = BASE.replace(from, to.replace("\\n", "\n"));
        assertThat(yaml).as("the replacement applies").isNotEqualTo(BASE);
        List<Problem> problems = Topologies.checkYaml(yaml);
        assertThat(problems).as(what).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo(path);
            assertThat(p.message()).isEqualTo(message);
        });
    }
}
