package dev.wirelab.netstack.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A Linux network namespace that a test makes for itself: a veth pair from the root namespace
 * into it and, when asked, a kernel {@code vxlan} device that joins a lab segment. Traffic stays
 * between the JVM (root namespace, the bus) and this namespace.
 */
public final class LinuxNetns implements AutoCloseable {

    private final String name;
    private final String vethRoot;

    private LinuxNetns(String name, String vethRoot) {
        this.name = name;
        this.vethRoot = vethRoot;
    }

    /**
     * Skips the calling test without root or iproute2, except on CI (CI=true), where that fails:
     * CI installs iproute2 and runs as root, so a skip there would hide a broken setup.
     */
    public static void requireRootAndIproute2() {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root;
        try {
            root = "0".equals(run(false, List.of("id", "-u")).out.strip());
        } catch (IOException e) {
            root = false;
        }
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip"));
        if (!(root && ip)) {
            if (ci) {
                fail("Linux interop needs root and iproute2 (root=" + root + ", ip=" + ip + "); CI=true forbids skipping");
            }
            assumeTrue(false, "Linux interop needs root and iproute2");
        }
    }

    /**
     * Creates namespace {@code name} with a veth pair: {@code vethRoot} ({@code rootCidr}) in the
     * root namespace, {@code vethNs} ({@code nsCidr}) inside. Removes leftovers of an earlier run first.
     */
    public static LinuxNetns create(String name, String vethRoot, String rootCidr, String vethNs, String nsCidr)
            throws IOException {
        run(false, List.of("ip", "netns", "del", name));
        run(false, List.of("ip", "link", "del", vethRoot));
        LinuxNetns ns = new LinuxNetns(name, vethRoot);
        try {
            run(true, List.of("ip", "netns", "add", name));
            run(true, List.of("ip", "link", "add", vethRoot, "type", "veth", "peer", "name", vethNs, "netns", name));
            run(true, List.of("ip", "addr", "add", rootCidr, "dev", vethRoot));
            run(true, List.of("ip", "link", "set", vethRoot, "up"));
            ns.ip("link", "set", "lo", "up");
            ns.ip("addr", "add", nsCidr, "dev", vethNs);
            ns.ip("link", "set", vethNs, "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * Adds a kernel VXLAN device (RFC 7348) in the namespace pointing at the bus, and brings it up.
     * Its transmit checksum offload is switched off: over a veth underlay the kernel would
     * otherwise hand the bus inner TCP/UDP packets whose checksum was left for a NIC to fill in.
     */
    public void addVxlan(String dev, int vni, String local, String remote, int port, String cidr) throws IOException {
        ip("link", "add", dev, "type", "vxlan", "id", String.valueOf(vni), "local", local, "remote", remote,
                "dstport", String.valueOf(port));
        List<String> ethtool = List.of("ip", "netns", "exec", name, "ethtool", "-K", dev, "tx", "off");
        run(true, ethtool);
        ip("addr", "add", cidr, "dev", dev);
        ip("link", "set", dev, "up");
    }

    /** Runs {@code ip ARGS} inside the namespace; fails on a non-zero exit. */
    public String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(true, cmd).out;
    }

    /** Runs a command inside the namespace and returns its exit status and output (never throws on exit != 0). */
    public Result exec(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(false, cmd);
    }

    public record Result(int exitCode, String out) {
    }

    @Override
    public void close() throws IOException {
        run(false, List.of("ip", "netns", "del", name)); // the ns end of the veth goes with it, and so the pair
        run(false, List.of("ip", "link", "del", vethRoot));
    }

    private static Result run(boolean check, List<String> cmd) throws IOException {
        Path out = Files.createTempFile("netns", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after 60 s: " + String.join(" ", cmd));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (check && p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text.strip());
            }
            return new Result(p.exitValue(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
