package dev.wirelab.netstack.fuzz;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.LabScript;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.wire.EthernetFrame;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.Vxlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the fuzz tests' seed corpora (their regression inputs) from real captures: the journey,
 * three-segments and mtu-576 examples run in virtual time, each layer's bytes cut out of their
 * frames, a few of each kind. Not a test; run from the repository root with bench/fuzz.sh --seeds.
 */
public final class SeedCorpora {

    private static final Path ROOT = Path.of("netstack", "src", "test", "resources", "dev", "wirelab", "netstack", "fuzz");
    private static final int PER_KIND = 3;

    private final Map<String, Map<String, byte[]>> seeds = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        SeedCorpora s = new SeedCorpora();
        s.capture("journey", "pc1", "browse http://www.example.com/");
        s.capture("three-segments", "pc1", "traceroute -n 10.0.2.10", "pc1", "ping -c 2 10.0.2.10");
        s.capture("mtu-576");
        for (String ex : List.of("journey", "three-segments", "dhcp-dns", "mtu-576", "external-vxlan", "tso")) {
            s.add("ConfigFuzzTestInputs/topologyYaml", ex, Files.readAllBytes(Path.of("examples", ex + ".yaml")));
            Path script = Path.of("examples", ex + ".script");
            if (Files.exists(script)) {
                s.add("ConfigFuzzTestInputs/labScript", ex, Files.readAllBytes(script));
            }
        }
        s.add("ConfigFuzzTestInputs/topologyJson", "json", ("{\"name\":\"j\",\"segments\":[\"lan\"],\"nodes\":{\"pc1\":"
                + "{\"kind\":\"host\",\"interfaces\":{\"eth0\":{\"segment\":\"lan\",\"address\":\"10.0.0.1/24\"}}}}}")
                .getBytes());
        s.write();
    }

    private void capture(String example, String... steps) throws Exception {
        String yaml = Files.readString(Path.of("examples", example + ".yaml"));
        try (Lab lab = Lab.build(Topologies.parseYaml(yaml), Lab.Options.virtual())) {
            Path script = Path.of("examples", example + ".script");
            if (Files.exists(script)) {
                for (LabScript.Step step : LabScript.parse(Files.readString(script)).steps()) {
                    if (step instanceof LabScript.Command c && !c.background()) {
                        lab.run(c.node(), c.command());
                    } else if (step instanceof LabScript.Sleep sl) {
                        lab.advance(sl.duration());
                    }
                }
            }
            for (int i = 0; i + 1 < steps.length; i += 2) {
                if (steps[i] != null) {
                    lab.run(steps[i], steps[i + 1]);
                }
            }
            for (CapturedFrame f : lab.trace().frames()) {
                cut(example, f.bytes());
            }
        }
    }

    private void cut(String example, byte[] frame) {
        EthernetFrame eth = EthernetFrame.parse(frame);
        String kind = String.format("%04x", eth.etherType());
        add("LinkFuzzTestInputs/ethernet", example + "-" + kind, frame);
        add("LinkFuzzTestInputs/summary", example + "-" + kind, frame);
        add("LinkFuzzTestInputs/vxlan", example + "-" + kind, Vxlan.encapsulate(42, frame));
        if (eth.etherType() == 0x0806) {
            add("LinkFuzzTestInputs/arp", example, eth.payload());
            return;
        }
        if (eth.etherType() != 0x0800) {
            return;
        }
        Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), 0, eth.payload().length);
        String ipKind = ip.protocol() + (ip.moreFragments() || ip.fragmentOffset() > 0 ? "-frag" : "");
        add("IpFuzzTestInputs/ipv4", example + "-" + ipKind, ip.encode());
        if (ip.moreFragments() || ip.fragmentOffset() > 0) {
            return;
        }
        byte[] l4 = ip.payload();
        byte[] pseudo = new byte[8 + l4.length];
        ip.source().write(pseudo, 0);
        ip.destination().write(pseudo, 4);
        System.arraycopy(l4, 0, pseudo, 8, l4.length);
        switch (ip.protocol()) {
            case 1 -> add("IpFuzzTestInputs/icmp", example + "-" + (l4[0] & 0xFF), l4);
            case 17 -> {
                add("IpFuzzTestInputs/udp", example, pseudo);
                int sport = ((l4[0] & 0xFF) << 8) | (l4[1] & 0xFF);
                int dport = ((l4[2] & 0xFF) << 8) | (l4[3] & 0xFF);
                byte[] payload = Arrays.copyOfRange(l4, 8, l4.length);
                if (sport == 67 || sport == 68 || dport == 67 || dport == 68) {
                    add("AppFuzzTestInputs/dhcp", example, payload);
                } else if (sport == 53 || dport == 53) {
                    add("AppFuzzTestInputs/dns", example + "-" + (sport == 53 ? "answer" : "query"), payload);
                }
            }
            case 6 -> {
                int flags = l4[13] & 0x3F;
                add("IpFuzzTestInputs/tcp", example + "-" + flags, pseudo);
                int offset = ((l4[12] & 0xF0) >> 4) * 4;
                if (l4.length > offset) {
                    int sport = ((l4[0] & 0xFF) << 8) | (l4[1] & 0xFF);
                    byte[] payload = new byte[1 + l4.length - offset];
                    payload[0] = 0x07; // chunks of 8 bytes when split
                    System.arraycopy(l4, offset, payload, 1, l4.length - offset);
                    add(sport == 80 ? "AppFuzzTestInputs/httpResponses" : "AppFuzzTestInputs/httpRequests", example,
                            payload);
                }
            }
            default -> {
            }
        }
    }

    private void add(String dir, String kind, byte[] bytes) {
        Map<String, byte[]> d = seeds.computeIfAbsent(dir, k -> new LinkedHashMap<>());
        long same = d.keySet().stream().filter(k -> k.startsWith(kind + "-")).count();
        if (same < PER_KIND && d.values().stream().noneMatch(b -> Arrays.equals(b, bytes))) {
            d.put(kind + "-" + same, bytes);
        }
    }

    private void write() throws IOException {
        List<String> summary = new ArrayList<>();
        for (Map.Entry<String, Map<String, byte[]>> e : seeds.entrySet()) {
            Path dir = ROOT.resolve(e.getKey());
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                Files.write(dir.resolve("seed-" + f.getKey()), f.getValue());
            }
            summary.add(e.getKey() + ": " + e.getValue().size());
        }
        System.out.println("seed corpora under " + ROOT + ":\n  " + String.join("\n  ", summary));
    }
}
