package dev.wirelab.netstack.dhcp;

import dev.wirelab.netstack.dns.StubResolver;
import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.testkit.Captures;
import dev.wirelab.netstack.testkit.Tshark;
import dev.wirelab.netstack.trace.TraceEvent;
import dev.wirelab.netstack.udp.UdpMessage;
import dev.wirelab.netstack.udp.UdpSocket;
import dev.wirelab.netstack.wire.DhcpMessage;
import dev.wirelab.netstack.wire.DhcpOption;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DHCP end to end in virtual time, through the topology file, the bus and the real stacks: DORA,
 * the relay, lease persistence, NAK, DECLINE after an ARP conflict, backoff, renewal and expiry,
 * and the dhclient program. tshark judges the captures.
 * <pre>
 *   pc1 (dhcp), dhcp1 .2, [stray], [squatter] --[lan 192.168.1.0/24]-- .1 r1 .1 --[lan2 192.168.2.0/24]-- pc2 (dhcp)
 * </pre>
 */
class DhcpLabTest {

    static final String LAB = """
            name: dhcp-test
            segments: [lan, lan2]
            nodes:
              pc1: { kind: host, interfaces: { eth0: { segment: lan, dhcp: true } } }
              pc2: { kind: host, interfaces: { eth0: { segment: lan2, dhcp: true } } }
              r1:
                kind: router
                interfaces:
                  eth0: { segment: lan, address: 192.168.1.1/24 }
                  eth1: { segment: lan2, address: 192.168.2.1/24 }
                dhcp_relay: { servers: [192.168.1.2] }
              dhcp1:
                kind: dhcp
                interfaces: { eth0: { segment: lan, address: 192.168.1.2/24 } }
                routes: [ { to: default, via: 192.168.1.1 } ]
                pools:
                  - { range: 192.168.1.100-192.168.1.110, gateway: 192.168.1.1, dns: [192.168.1.53],
                      domain: home.arpa, lease: 10m }
                  - { subnet: 192.168.2.0/24, range: 192.168.2.100-192.168.2.110, gateway: 192.168.2.1, lease: 10m }
            links: { lan: { delay: 1ms }, lan2: { delay: 1ms } }
            seed: 11
            """;

    static final Ipv4Address SERVER = Ipv4Address.parse("192.168.1.2");

    static Lab lab(String yaml) {
        Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual());
        lab.start();
        return lab;
    }

    static void runUntil(Lab lab, BooleanSupplier done, Duration max) {
        long end = lab.nanos() + max.toNanos();
        while (!done.getAsBoolean() && lab.nanos() < end) {
            lab.advance(Duration.ofMillis(100));
        }
        assertThat(done.getAsBoolean()).as("condition within " + max + " of lab time").isTrue();
    }

    static DhcpClient client(Lab lab, String node) {
        return DhcpClient.of(lab.node(node), "eth0");
    }

    static DhcpServer server(Lab lab) {
        return lab.node("dhcp1").service(DhcpServer.class).orElseThrow();
    }

    static List<TraceEvent> dhcpEvents(Lab lab, String node, String kind) {
        return lab.trace().events(e -> e.node().equals(node) && e.layer().equals("dhcp") && e.kind().equals(kind));
    }

    static MacAddress mac(Lab lab, String node) {
        return lab.node(node).networkInterface("eth0").orElseThrow().mac();
    }

    @Test
    void doraConfiguresAddressRouteAndResolverAsTsharkSeesIt() throws Exception {
        Path capture;
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            DhcpClient.LeaseInfo lease = client(lab, "pc1").lease().orElseThrow();
            // The server's binding and the client's agree.
            assertThat(server(lab).leases()).anySatisfy(l -> {
                assertThat(l.address()).isEqualTo(lease.address());
                assertThat(l.mac()).isEqualTo(mac(lab, "pc1"));
                assertThat(l.state()).isEqualTo(Lease.State.ACTIVE);
            });
            assertThat(lease.address()).isEqualTo(Ipv4Address.parse("192.168.1.100"));
            assertThat(lease.prefixLength()).isEqualTo(24);
            assertThat(lease.leaseSeconds()).isEqualTo(600);
            assertThat(lease.renewSeconds()).isEqualTo(300);
            assertThat(lease.rebindSeconds()).isEqualTo(525);

            // RFC 2131 figure 5, in order, and DORA on the wire as the client saw it.
            assertThat(dhcpEvents(lab, "pc1", "state")).extracting(e -> e.detail().get("to"))
                    .containsExactly("INIT", "SELECTING", "REQUESTING", "BOUND");
            List<String> messages = new ArrayList<>();
            for (TraceEvent e : lab.trace().events(e -> e.node().equals("pc1") && e.layer().equals("dhcp")
                    && (e.kind().equals("sent") || e.kind().equals("received")))) {
                messages.add(e.kind() + " " + e.detail().get("message"));
            }
            assertThat(messages).containsExactly("sent DHCPDISCOVER", "received DHCPOFFER", "sent DHCPREQUEST",
                    "received DHCPACK");
            // Three RFC 5227 probes before BOUND, from 0.0.0.0.
            assertThat(dhcpEvents(lab, "pc1", "arp_probe")).hasSize(3);

            ExecResult addr = lab.run("pc1", "ip addr");
            assertThat(addr.output()).contains("    inet 192.168.1.100/24 brd 192.168.1.255 scope global dynamic eth0");
            assertThat(addr.output()).anyMatch(l -> l.matches("       valid_lft (59\\d|600)sec preferred_lft (59\\d|600)sec"));
            lab.advance(Duration.ofSeconds(100));
            assertThat(lab.run("pc1", "ip addr").output()).anyMatch(l -> l.matches("       valid_lft 4\\d\\dsec .*"));
            assertThat(lab.run("pc1", "ip route").output()).contains("default via 192.168.1.1 dev eth0");
            StubResolver stub = StubResolver.of(lab.node("pc1"));
            assertThat(stub.nameservers()).containsExactly(Ipv4Address.parse("192.168.1.53"));
            assertThat(stub.searchDomain()).contains("home.arpa");
            // The address works: the gateway answers a ping.
            assertThat(lab.run("pc1", "ping -c 1 192.168.1.1").exitCode()).isZero();
            capture = Captures.save(lab, "dhcp-dora");
        }
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(capture).problems()).as("tshark on " + capture).isEmpty();
        List<Map<String, String>> rows = Tshark.fields(capture, false, "dhcp",
                "dhcp.option.dhcp", "dhcp.ip.your", "dhcp.hw.mac_addr", "dhcp.ip.relay");
        List<String> types = rows.stream().filter(r -> r.get("dhcp.ip.relay").equals("0.0.0.0")
                && !r.get("dhcp.hw.mac_addr").isEmpty()).map(r -> r.get("dhcp.option.dhcp")).toList();
        assertThat(types).containsSubsequence("1", "2", "3", "5"); // Discover, Offer, Request, ACK
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.get("dhcp.option.dhcp")).isEqualTo("5");
            assertThat(r.get("dhcp.ip.your")).isEqualTo("192.168.1.100"); // tshark's lease address is ours
        });
    }

    @Test
    void theRelayLetsOneServerServeASecondSegment() throws Exception {
        Path capture;
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc2").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            assertThat(client(lab, "pc2").lease().orElseThrow().address()).isEqualTo(Ipv4Address.parse("192.168.2.100"));
            assertThat(client(lab, "pc2").lease().orElseThrow().routers()).containsExactly(Ipv4Address.parse("192.168.2.1"));
            assertThat(server(lab).leases()).anySatisfy(l -> {
                assertThat(l.address()).isEqualTo(Ipv4Address.parse("192.168.2.100"));
                assertThat(l.mac()).isEqualTo(mac(lab, "pc2"));
            });
            List<TraceEvent> relayed = dhcpEvents(lab, "r1", "relay_to_server");
            assertThat(relayed).extracting(e -> e.detail().get("message")).containsExactly("DHCPDISCOVER", "DHCPREQUEST");
            assertThat(relayed).allSatisfy(e -> {
                assertThat(e.detail().get("giaddr")).isEqualTo("192.168.2.1");
                assertThat(e.detail().get("hops")).isEqualTo(1);
            });
            assertThat(dhcpEvents(lab, "r1", "relay_to_client")).extracting(e -> e.detail().get("message"))
                    .containsExactly("DHCPOFFER", "DHCPACK");
            // pc2 reaches the server's segment through r1 with its leased address.
            assertThat(lab.run("pc2", "ping -c 1 192.168.1.2").exitCode()).isZero();
            capture = Captures.save(lab, "dhcp-relay");
        }
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(capture).problems()).isEmpty();
        List<Map<String, String>> rows = Tshark.fields(capture, false, "dhcp.ip.relay == 192.168.2.1",
                "ip.src", "ip.dst", "dhcp.option.dhcp", "dhcp.hops", "dhcp.ip.your");
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.get("ip.src")).isEqualTo("192.168.1.1");
            assertThat(r.get("ip.dst")).isEqualTo("192.168.1.2");
            assertThat(r.get("dhcp.option.dhcp")).isEqualTo("1");
            assertThat(r.get("dhcp.hops")).isEqualTo("1");
        });
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.get("ip.dst")).isEqualTo("192.168.2.100");
            assertThat(r.get("dhcp.option.dhcp")).isEqualTo("5");
            assertThat(r.get("dhcp.ip.your")).isEqualTo("192.168.2.100");
        });
    }

    @Test
    void leasesSurviveARestartOfTheServerNode() {
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND
                    && client(lab, "pc2").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            Node dhcp1 = lab.node("dhcp1");
            dhcp1.stop();
            lab.advance(Duration.ofSeconds(1));
            String file = server(lab).leaseFile().read();
            assertThat(file).contains("lease 192.168.1.100 {", "lease 192.168.2.100 {", "binding state active;",
                    "hardware ethernet " + mac(lab, "pc1") + ";", "client-hostname \"pc1\";");
            assertThat(server(lab).leases()).isEmpty(); // the process is gone; the file remains
            dhcp1.start();
            lab.advance(Duration.ofSeconds(1));
            assertThat(server(lab).leases()).extracting(Lease::address, Lease::mac, Lease::state).contains(
                    org.assertj.core.groups.Tuple.tuple(Ipv4Address.parse("192.168.1.100"), mac(lab, "pc1"), Lease.State.ACTIVE),
                    org.assertj.core.groups.Tuple.tuple(Ipv4Address.parse("192.168.2.100"), mac(lab, "pc2"), Lease.State.ACTIVE));
            // The restarted server still knows pc1: a renewal is ACKed with the same address.
            ExecResult renew = lab.run("pc1", "dhclient -v eth0", Duration.ofSeconds(30));
            assertThat(renew.exitCode()).as(renew.text()).isZero();
            assertThat(renew.output()).contains("DHCPACK of 192.168.1.100 from 192.168.1.2");
            assertThat(dhcpEvents(lab, "dhcp1", "lease_file_error")).isEmpty();
        }
    }

    @Test
    void theLeaseFileIsAppendedToCompactedWhenGrownAndATornLastEntryIsReportedAndRepaired() {
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND
                    && client(lab, "pc2").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            LeaseFile file = server(lab).leaseFile();
            // DORA twice: an offer and an ack each, appended, not rewritten.
            String afterDora = file.read();
            assertThat(afterDora.split("\nlease ", -1)).hasSize(1 + 4);
            ExecResult renew = lab.run("pc1", "dhclient -v eth0", Duration.ofSeconds(30));
            assertThat(renew.exitCode()).as(renew.text()).isZero();
            assertThat(file.read()).startsWith(afterDora).hasSizeGreaterThan(afterDora.length());
            Node dhcp1 = lab.node("dhcp1");
            dhcp1.stop();
            lab.advance(Duration.ofSeconds(1));
            // Stopping compacts: one entry per address.
            assertThat(file.read().split("\nlease ", -1)).hasSize(1 + 2);
            // A crash mid-append, after many changes: 100 stale entries, then one cut short.
            StringBuilder junk = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                junk.append(LeaseDatabase.entry(new Lease(Ipv4Address.parse("192.168.1.105"), mac(lab, "pc2"),
                        Lease.State.FREE, 1000 + i, 1000 + i, null)));
            }
            file.append(junk + "lease 192.168.1.106 {\n  starts epoch 17672");
            dhcp1.start();
            lab.advance(Duration.ofSeconds(1));
            assertThat(dhcpEvents(lab, "dhcp1", "lease_file_error")).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("error").toString()).contains("incomplete entry", "cut short"));
            assertThat(dhcpEvents(lab, "dhcp1", "lease_file_compacted")).singleElement().satisfies(e -> {
                assertThat(e.detail()).containsEntry("reason", "damaged").containsEntry("entries_before", 2 + 100 + 1)
                        .containsEntry("entries_after", 3);
            });
            String repaired = file.read();
            assertThat(repaired).doesNotContain("192.168.1.106").endsWith("}\n");
            assertThat(repaired.split("\nlease ", -1)).hasSize(1 + 3);
            assertThat(server(lab).leases()).extracting(Lease::address, Lease::state).contains(
                    org.assertj.core.groups.Tuple.tuple(Ipv4Address.parse("192.168.1.100"), Lease.State.ACTIVE),
                    org.assertj.core.groups.Tuple.tuple(Ipv4Address.parse("192.168.1.105"), Lease.State.FREE));
            // The repaired file takes appends again, and a renewal after the restart is ACKed.
            renew = lab.run("pc1", "dhclient -v eth0", Duration.ofSeconds(30));
            assertThat(renew.output()).contains("DHCPACK of 192.168.1.100 from 192.168.1.2");
            assertThat(LeaseDatabase.parse(file.read()).errors()).isEmpty();
            assertThat(file.read()).startsWith(repaired);
        }
    }

    @Test
    void aFullPoolHandsOutAReleasedAddressToTheNextClient() {
        // Two addresses for three clients on lan: the third gets one once another client released it
        // (RFC 2131 section 4.3.1: "an address ... previously assigned to a client that released it").
        String yaml = LAB.replace("range: 192.168.1.100-192.168.1.110", "range: 192.168.1.100-192.168.1.101")
                .replace("  r1:", "  pc3: { kind: host, interfaces: { eth0: { segment: lan, dhcp: true } } }\n"
                        + "  pc4: { kind: host, interfaces: { eth0: { segment: lan } } }\n  r1:");
        try (Lab lab = lab(yaml)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND
                    && client(lab, "pc3").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            ExecResult full = lab.run("pc4", "dhclient eth0", Duration.ofSeconds(90));
            assertThat(full.exitCode()).as(full.text()).isEqualTo(2); // gave up: no free address
            assertThat(dhcpEvents(lab, "dhcp1", "pool_exhausted")).isNotEmpty();
            Ipv4Address released = client(lab, "pc1").lease().orElseThrow().address();
            ExecResult release = lab.run("pc1", "dhclient -r eth0", Duration.ofSeconds(10));
            assertThat(release.exitCode()).as(release.text()).isZero();
            ExecResult again = lab.run("pc4", "dhclient -v eth0", Duration.ofSeconds(60));
            assertThat(again.exitCode()).as(again.text()).isZero();
            assertThat(again.output()).contains("DHCPACK of " + released + " from 192.168.1.2");
        }
    }

    private static long entries(String leaseFile) {
        return java.util.regex.Pattern.compile("(?m)^lease ").matcher(leaseFile).results().count();
    }

    @Test
    void aRequestForAnAddressOnTheWrongNetworkIsNakedAndAnUnknownClientGetsSilence() {
        String yaml = LAB.replace("  r1:", "  stray: { kind: host, interfaces: { eth0: { segment: lan } } }\n  r1:");
        try (Lab lab = lab(yaml)) {
            Node stray = lab.node("stray");
            MacAddress mac = mac(lab, "stray");
            List<DhcpMessage> got = new ArrayList<>();
            stray.loop().execute(() -> {
                UdpSocket s = stray.udp().open(Ipv4Address.ANY, DhcpMessage.CLIENT_PORT);
                s.onReceive((UdpMessage u) -> got.add(DhcpMessage.parse(u.payload(), 0, u.payload().length)));
                // INIT-REBOOT (RFC 2131 section 4.3.2): requested address, no server identifier, ciaddr 0.
                RawUdp.send(stray, "eth0", MacAddress.BROADCAST, Ipv4Address.ANY, 68, Ipv4Address.BROADCAST, 67,
                        DhcpMessage.request(0x1234, mac, List.of(DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, DhcpMessage.REQUEST),
                                DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.9.9.9")))).encode());
            });
            runUntil(lab, () -> !got.isEmpty(), Duration.ofSeconds(2));
            DhcpMessage nak = got.get(0);
            assertThat(nak.messageType()).isEqualTo(DhcpMessage.NAK);
            assertThat(nak.xid()).isEqualTo(0x1234);
            assertThat(nak.yiaddr()).isEqualTo(Ipv4Address.ANY);
            assertThat(nak.address(DhcpOption.SERVER_ID)).contains(SERVER);
            assertThat(nak.text(DhcpOption.MESSAGE)).contains(
                    "requested address 10.9.9.9 is not on the client's network 192.168.1.0/24");
            assertThat(nak.has(DhcpOption.LEASE_TIME)).isFalse();
            // In the right subnet but unknown to the server: "MUST remain silent".
            stray.loop().execute(() -> RawUdp.send(stray, "eth0", MacAddress.BROADCAST, Ipv4Address.ANY, 68,
                    Ipv4Address.BROADCAST, 67, DhcpMessage.request(0x5678, mac, List.of(
                            DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, DhcpMessage.REQUEST),
                            DhcpOption.ofAddresses(DhcpOption.REQUESTED_IP, Ipv4Address.parse("192.168.1.107")))).encode()));
            lab.advance(Duration.ofSeconds(2));
            assertThat(got).hasSize(1);
            assertThat(dhcpEvents(lab, "dhcp1", "init_reboot_unknown_client")).hasSize(1);
        }
    }

    @Test
    void informGetsTheOptionsWithoutALease() {
        String yaml = LAB.replace("  r1:", "  fixed: { kind: host, interfaces: { eth0: { segment: lan, address: 192.168.1.20/24 } } }\n  r1:");
        try (Lab lab = lab(yaml)) {
            Node fixed = lab.node("fixed");
            List<DhcpMessage> got = new ArrayList<>();
            fixed.loop().execute(() -> {
                UdpSocket s = fixed.udp().open(Ipv4Address.ANY, DhcpMessage.CLIENT_PORT);
                s.onReceive((UdpMessage u) -> got.add(DhcpMessage.parse(u.payload(), 0, u.payload().length)));
                byte[] ch = new byte[16];
                mac(lab, "fixed").write(ch, 0);
                // RFC 2131 section 4.4.3: DHCPINFORM with ciaddr, to learn the configuration only.
                DhcpMessage inform = new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, 0x4242, 0, 0,
                        Ipv4Address.parse("192.168.1.20"), Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY, ch,
                        new byte[64], new byte[128], List.of(DhcpOption.ofByte(DhcpOption.MESSAGE_TYPE, DhcpMessage.INFORM)));
                s.sendTo(SERVER, DhcpMessage.SERVER_PORT, inform.encode());
            });
            runUntil(lab, () -> !got.isEmpty(), Duration.ofSeconds(2));
            DhcpMessage ack = got.get(0);
            assertThat(ack.messageType()).isEqualTo(DhcpMessage.ACK);
            assertThat(ack.yiaddr()).isEqualTo(Ipv4Address.ANY);
            assertThat(ack.ciaddr()).isEqualTo(Ipv4Address.parse("192.168.1.20"));
            assertThat(ack.has(DhcpOption.LEASE_TIME)).isFalse(); // 4.3.5: "MUST NOT send a lease expiration time"
            assertThat(ack.addresses(DhcpOption.ROUTER)).containsExactly(Ipv4Address.parse("192.168.1.1"));
            assertThat(ack.addresses(DhcpOption.DOMAIN_NAME_SERVER)).containsExactly(Ipv4Address.parse("192.168.1.53"));
            assertThat(ack.text(DhcpOption.DOMAIN_NAME)).contains("home.arpa");
            assertThat(server(lab).leases()).noneMatch(l -> l.mac().equals(mac(lab, "fixed")));
        }
    }

    @Test
    void anArpConflictMakesTheClientDeclineAndTakeTheNextAddress() throws Exception {
        // A host with the pool's first address configured by hand, unknown to the server.
        String yaml = LAB.replace("  r1:", "  squatter: { kind: host, interfaces: { eth0: { segment: lan, address: 192.168.1.100/24 } } }\n  r1:");
        Path capture;
        try (Lab lab = lab(yaml)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(60));
            List<TraceEvent> conflicts = dhcpEvents(lab, "pc1", "arp_conflict");
            assertThat(conflicts).singleElement().satisfies(e -> {
                assertThat(e.detail().get("address")).isEqualTo("192.168.1.100");
                assertThat(e.detail().get("owner")).isEqualTo(mac(lab, "squatter").toString());
            });
            assertThat(dhcpEvents(lab, "pc1", "sent")).extracting(e -> e.detail().get("message"))
                    .containsSubsequence("DHCPREQUEST", "DHCPDECLINE", "DHCPDISCOVER", "DHCPREQUEST");
            assertThat(dhcpEvents(lab, "dhcp1", "address_declined")).singleElement()
                    .satisfies(e -> assertThat(e.detail().get("address")).isEqualTo("192.168.1.100"));
            assertThat(client(lab, "pc1").lease().orElseThrow().address()).isEqualTo(Ipv4Address.parse("192.168.1.101"));
            assertThat(server(lab).leases()).anySatisfy(l -> {
                assertThat(l.address()).isEqualTo(Ipv4Address.parse("192.168.1.100"));
                assertThat(l.state()).isEqualTo(Lease.State.ABANDONED);
            });
            // RFC 2131 section 3.1 step 5: at least ten seconds between the DECLINE and the new DISCOVER.
            long declineAt = lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "DHCPDECLINE".equals(e.detail().get("message"))).get(0).timeNanos();
            long rediscoverAt = lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "DHCPDISCOVER".equals(e.detail().get("message")) && e.timeNanos() > declineAt).get(0).timeNanos();
            assertThat(rediscoverAt - declineAt).isGreaterThanOrEqualTo(10_000_000_000L);
            capture = Captures.save(lab, "dhcp-decline");
        }
        assumeTrue(Tshark.available(), "tshark not installed");
        assertThat(Tshark.judge(capture).problems()).isEmpty();
        assertThat(Tshark.fields(capture, false, "dhcp.option.dhcp == 4", "dhcp.option.requested_ip_address"))
                .extracting(r -> r.get("dhcp.option.requested_ip_address")).containsOnly("192.168.1.100");
    }

    @Test
    void discoverIsRetransmittedWithExponentialBackoffAndSeededJitter() {
        String alone = """
                name: alone
                segments: [lan]
                nodes:
                  pc1: { kind: host, interfaces: { eth0: { segment: lan, dhcp: true } } }
                seed: 3
                """;
        List<Long> first = discoverTimes(alone);
        assertThat(first).hasSizeGreaterThanOrEqualTo(5);
        long[] base = {4, 8, 16, 32};
        boolean jittered = false;
        for (int i = 0; i < base.length; i++) {
            long gap = first.get(i + 1) - first.get(i);
            // RFC 2131 section 4.1: 4, 8, 16, 32 s, each randomized by -1..+1 s.
            assertThat(gap).as("gap " + i).isBetween((base[i] - 1) * 1_000_000_000L, (base[i] + 1) * 1_000_000_000L);
            jittered |= gap != base[i] * 1_000_000_000L;
        }
        assertThat(jittered).isTrue();
        // The jitter comes from the lab's seed: the same lab gives the same times.
        assertThat(discoverTimes(alone)).isEqualTo(first);
        assertThat(discoverTimes(alone.replace("seed: 3", "seed: 4"))).isNotEqualTo(first);
    }

    private static List<Long> discoverTimes(String yaml) {
        try (Lab lab = lab(yaml)) {
            lab.advance(Duration.ofSeconds(75));
            return lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "DHCPDISCOVER".equals(e.detail().get("message"))).stream().map(TraceEvent::timeNanos).toList();
        }
    }

    @Test
    void renewsAtT1RebindsAtT2AndStopsUsingTheAddressAtExpiry() {
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            long boundAt = client(lab, "pc1").lease().orElseThrow().boundAtNanos();
            // T1 = 300 s: a unicast REQUEST to the server, ACKed.
            runUntil(lab, () -> dhcpEvents(lab, "pc1", "state").stream().anyMatch(e -> "RENEWING".equals(e.detail().get("to"))),
                    Duration.ofSeconds(301));
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(5));
            TraceEvent renew = lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "RENEWING".equals(e.detail().get("state"))).get(0);
            assertThat(renew.detail().get("to")).isEqualTo("192.168.1.2");
            assertThat(renew.detail().get("ciaddr")).isEqualTo("192.168.1.100");
            assertThat(renew.timeNanos() - boundAt).isBetween(300_000_000_000L, 301_000_000_000L);
            assertThat(dhcpEvents(lab, "dhcp1", "sent")).last()
                    .satisfies(e -> assertThat(e.detail().get("delivery")).isEqualTo("unicast"));

            // The server goes away: RENEWING at T1, REBINDING at T2 (broadcast), then the lease ends.
            lab.node("dhcp1").stop();
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.SELECTING, Duration.ofSeconds(601));
            List<Object> states = dhcpEvents(lab, "pc1", "state").stream().map(e -> e.detail().get("to")).toList();
            assertThat(states).containsSubsequence("BOUND", "RENEWING", "BOUND", "RENEWING", "REBINDING", "INIT", "SELECTING");
            assertThat(lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "REBINDING".equals(e.detail().get("state")))).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.detail().get("to")).isEqualTo("255.255.255.255"));
            assertThat(dhcpEvents(lab, "pc1", "lease_expired")).hasSize(1);
            assertThat(lab.run("pc1", "ip addr").output()).noneMatch(l -> l.contains("inet "));
            assertThat(lab.run("pc1", "ip route").output()).isEmpty();
        }
    }

    @Test
    void aRestartedClientConfirmsItsLeaseWithInitReboot() {
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            Node pc1 = lab.node("pc1");
            pc1.stop();
            lab.advance(Duration.ofSeconds(5));
            assertThat(lab.run("pc1", "ip addr").output()).noneMatch(l -> l.contains("inet "));
            pc1.start();
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            // RFC 2131 section 3.2: INIT-REBOOT, a broadcast DHCPREQUEST with 'requested IP address' and
            // no 'server identifier', then the ACK, the ARP probe and BOUND with the same address.
            List<Object> states = dhcpEvents(lab, "pc1", "state").stream().map(e -> e.detail().get("to")).toList();
            assertThat(states).containsSubsequence("BOUND", "STOPPED", "INIT_REBOOT", "REBOOTING", "BOUND");
            TraceEvent request = lab.trace().events(e -> e.node().equals("pc1") && e.kind().equals("sent")
                    && "REBOOTING".equals(e.detail().get("state"))).get(0);
            assertThat(request.detail().get("requested")).isEqualTo("192.168.1.100");
            assertThat(request.detail().get("to")).isEqualTo("255.255.255.255");
            assertThat(request.detail().get("ciaddr")).isEqualTo("0.0.0.0");
            assertThat(client(lab, "pc1").lease().orElseThrow().address()).isEqualTo(Ipv4Address.parse("192.168.1.100"));
            assertThat(lab.run("pc1", "ip addr").output()).contains("    inet 192.168.1.100/24 brd 192.168.1.255 scope global dynamic eth0");
        }
    }

    @Test
    void dhclientPrintsLikeIscAndReleases() {
        try (Lab lab = lab(LAB)) {
            runUntil(lab, () -> client(lab, "pc1").state() == DhcpClient.State.BOUND, Duration.ofSeconds(30));
            ExecResult release = lab.run("pc1", "dhclient -v -r eth0");
            assertThat(release.exitCode()).isZero();
            assertThat(release.output()).contains("DHCPRELEASE of 192.168.1.100 on eth0 to 192.168.1.2 port 67");
            lab.advance(Duration.ofSeconds(1));
            assertThat(server(lab).leases()).anySatisfy(l -> {
                assertThat(l.address()).isEqualTo(Ipv4Address.parse("192.168.1.100"));
                assertThat(l.state()).isEqualTo(Lease.State.FREE);
            });
            assertThat(lab.run("pc1", "ip addr").output()).noneMatch(l -> l.contains("inet "));

            ExecResult again = lab.run("pc1", "dhclient -v eth0", Duration.ofSeconds(60));
            assertThat(again.exitCode()).as(again.text()).isZero();
            List<String> out = again.output();
            assertThat(out).anyMatch(l -> l.matches("DHCPDISCOVER on eth0 to 255\\.255\\.255\\.255 port 67 interval [345]"));
            // The released address is the client's previous binding: it gets it back.
            assertThat(out).containsSubsequence("DHCPOFFER of 192.168.1.100 from 192.168.1.2",
                    "DHCPREQUEST for 192.168.1.100 on eth0 to 255.255.255.255 port 67",
                    "DHCPACK of 192.168.1.100 from 192.168.1.2");
            // T1 counts from the first DHCPREQUEST (RFC 2131 section 4.4.1); the ARP probes took a few seconds.
            assertThat(out.get(out.size() - 1)).matches("bound to 192\\.168\\.1\\.100 -- renewal in 29[0-9] seconds\\.");
            assertThat(lab.run("pc1", "dhclient -q eth9").output()).containsExactly("Cannot find device \"eth9\"");
        }
    }
}
