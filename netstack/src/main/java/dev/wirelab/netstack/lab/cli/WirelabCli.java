package dev.wirelab.netstack.lab.cli;

import dev.wirelab.netstack.lab.ExecResult;
import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.lab.LabException;
import dev.wirelab.netstack.lab.LabScript;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.TraceSummary;
import dev.wirelab.netstack.lab.topology.InterfaceSpec;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.Problem;
import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;
import dev.wirelab.netstack.lab.topology.TopologyException;
import dev.wirelab.netstack.lab.topology.Units;
import dev.wirelab.netstack.node.NetworkInterface;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.trace.CaptureView;
import dev.wirelab.netstack.time.RealTimeLoop;
import dev.wirelab.netstack.trace.FrameSpool;
import dev.wirelab.netstack.trace.OverheardDetail;
import dev.wirelab.netstack.trace.PcapngWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code wirelab run TOPOLOGY [options]} and {@code wirelab validate TOPOLOGY}: runs a lab from a
 * topology file in the embedded runtime, prints what its programs print and a summary of the
 * trace, and writes the capture as pcapng.
 */
public final class WirelabCli {

    static final String USAGE = """
            usage: wirelab run TOPOLOGY.yaml [options]
                     --script FILE        lines "node: command" run one after the other ("sleep 2s" waits;
                                          a trailing "&" runs a command in the background; a trailing
                              "|| true" marks a failure as expected: otherwise a failed
                              command makes the run exit 1)
                     --exec "node: cmd"   one command (repeatable; runs after the script)
                     --real               real time (default: virtual time, reproducible)
                     --seed N             seed for link impairments (default: the topology's, else 1)
                     --duration 30s       real time: keep the lab up this long after the commands (0: until Ctrl-C)
                     --pcap FILE          capture file (default: captures/NAME.pcapng)
                     --pcap-view VIEW     conversations (default: each conversation once, from one segment,
                                          as Wireshark's TCP analysis needs), all (every frame of every
                                          segment in one file), segments (FILE-SEGMENT.pcapng per segment)
                     --events             print the whole timeline of frames and events (kept in memory;
                                          without it events stream to FILE.events beside the capture)
                   wirelab validate TOPOLOGY.yaml
            """;

    private final PrintStream out;
    private final PrintStream err;
    /** Counted down once a run has written its capture and events file. */
    private final CountDownLatch written = new CountDownLatch(1);
    /** How long a Ctrl-C waits for the capture to be written before the JVM ends anyway. */
    static final long SHUTDOWN_WRITE_SECONDS = 120;

    public WirelabCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code = new WirelabCli(System.out, System.err).execute(args);
        System.out.flush();
        System.exit(code);
    }

    /** Runs the command line; returns the process exit status (0 ok, 2 bad usage or input, 1 lab failure). */
    public int execute(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "run" -> run(Options.parse(args));
                case "validate" -> validate(args);
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (TopologyException e) {
            printProblems(e.problems());
            return 2;
        } catch (LabException e) {
            err.println("wirelab: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("wirelab: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String message) {
        err.println("wirelab: " + message);
        err.print(USAGE);
        return 2;
    }

    private void printProblems(List<Problem> problems) {
        err.println("wirelab: the topology has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ":");
        for (Problem p : problems) {
            err.println("  " + p);
        }
    }

    private int validate(String[] args) {
        if (args.length != 2) {
            throw new UsageException("validate takes one topology file");
        }
        Topology t = Topologies.parseYaml(existing(args[1]));
        out.println(args[1] + ": valid (" + t.nodes().size() + " nodes, " + t.segments().size() + " segments)");
        return 0;
    }

    private static Path existing(String file) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new UsageException("no such file: " + file);
        }
        return p;
    }

    record Options(Path topology, Path script, List<String> execs, TimeMode time, Long seed, Duration duration,
                   Path pcap, String pcapView, boolean events) {

        static final List<String> PCAP_VIEWS = List.of("conversations", "all", "segments");

        static Options parse(String[] args) {
            Path topology = null;
            Path script = null;
            List<String> execs = new ArrayList<>();
            TimeMode time = TimeMode.VIRTUAL;
            Long seed = null;
            Duration duration = Duration.ZERO;
            Path pcap = null;
            String pcapView = "conversations";
            boolean events = false;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--script" -> script = existing(value(args, ++i, a));
                    case "--exec" -> execs.add(value(args, ++i, a));
                    case "--real" -> time = TimeMode.REAL;
                    case "--virtual" -> time = TimeMode.VIRTUAL;
                    case "--seed" -> {
                        String v = value(args, ++i, a);
                        try {
                            seed = Long.parseLong(v);
                        } catch (NumberFormatException e) {
                            throw new UsageException("--seed needs a whole number, got '" + v + "'");
                        }
                    }
                    case "--duration" -> {
                        String v = value(args, ++i, a);
                        try {
                            duration = v.equals("0") ? Duration.ZERO : Duration.ofNanos(Units.parseDurationNanos(v));
                        } catch (IllegalArgumentException e) {
                            throw new UsageException("--duration: " + e.getMessage());
                        }
                    }
                    case "--pcap" -> pcap = Path.of(value(args, ++i, a));
                    case "--pcap-view" -> {
                        pcapView = value(args, ++i, a);
                        if (!PCAP_VIEWS.contains(pcapView)) {
                            throw new UsageException("--pcap-view: '" + pcapView + "' is not one of "
                                    + String.join(", ", PCAP_VIEWS));
                        }
                    }
                    case "--events" -> events = true;
                    default -> {
                        if (a.startsWith("-")) {
                            throw new UsageException("unknown option " + a);
                        }
                        if (topology != null) {
                            throw new UsageException("one topology file only (have " + topology + ", and " + a + ")");
                        }
                        topology = existing(a);
                    }
                }
            }
            if (topology == null) {
                throw new UsageException("run needs a topology file");
            }
            return new Options(topology, script, execs, time, seed, duration, pcap, pcapView, events);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }
    }

    private int run(Options o) throws IOException {
        Topology topology = Topologies.parseYaml(o.topology());
        List<LabScript.Step> steps = new ArrayList<>();
        if (o.script() != null) {
            try {
                steps.addAll(LabScript.parse(Files.readString(o.script())).steps());
            } catch (IllegalArgumentException e) {
                throw new UsageException(o.script() + ": " + e.getMessage());
            }
        }
        for (String e : o.execs()) {
            try {
                steps.add(LabScript.parseStep(e, 0));
            } catch (IllegalArgumentException ex) {
                throw new UsageException("--exec '" + e + "': expected 'node: command'");
            }
        }
        for (LabScript.Step s : steps) {
            if (s instanceof LabScript.Command c && !topology.nodes().containsKey(c.node())) {
                throw new UsageException("the script names node '" + c.node() + "', which the topology does not have (nodes: "
                        + String.join(", ", topology.nodes().keySet()) + ")");
            }
        }
        Path pcap = o.pcap() != null ? o.pcap() : Path.of("captures", topology.name() + ".pcapng");
        checkCaptureFile(pcap, o.pcap() != null); // before the lab runs, not after
        Path eventsFile = pcap.resolveSibling(stem(pcap) + ".events");
        if (Files.isDirectory(eventsFile)) {
            throw new UsageException("the events file " + eventsFile + " is a directory");
        }
        Lab.Options options = o.time() == TimeMode.VIRTUAL ? Lab.Options.virtual() : Lab.Options.real();
        if (o.seed() != null) {
            options = options.withSeed(o.seed());
        }
        // Frames to a spool beside the capture, events to the events file, counts for the summary:
        // memory stays flat in the number of frames. --events also keeps the timeline in memory.
        Path spoolDir = pcap.toAbsolutePath().getParent();
        try (StreamedTrace trace = new StreamedTrace(spoolDir, eventsFile)) {
            options = options.withSink(trace);
            if (!o.events()) {
                options = options.withoutMemoryTrace();
            }
            return run(o, topology, steps, options, trace, pcap);
        } finally {
            written.countDown(); // a Ctrl-C's shutdown hook may let the JVM end now
        }
    }

    private int run(Options o, Topology topology, List<LabScript.Step> steps, Lab.Options options, StreamedTrace trace,
                    Path pcap) throws IOException {
        try (Lab lab = Lab.build(topology, options)) {
            printHeader(lab);
            lab.start();
            if (lab.bus().vxlanEndpoint() != null) {
                out.println("Bus: VXLAN on udp " + lab.bus().vxlanEndpoint().localAddress() + "; external ports: "
                        + topology.external().stream().map(x -> x.name() + " (segment " + x.segment() + ", VNI "
                        + topology.segment(x.segment()).orElseThrow().vni() + ", remote " + x.remote() + ")").toList());
            }
            List<String> running = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
            int jobs = 0;
            for (LabScript.Step s : steps) {
                if (s instanceof LabScript.Sleep sl) {
                    lab.advance(sl.duration());
                } else if (s instanceof LabScript.Command c && c.background()) {
                    // As a shell's background job: "[1] node$ command &", its lines prefixed with its
                    // number as they come, and "[1] Done" (or "[1] Exit N") when it ends.
                    int job = ++jobs;
                    String label = "[" + job + "] " + c.node() + "$ " + c.command();
                    out.println();
                    out.println(label + " &");
                    running.add(label);
                    lab.exec(c.node(), c.command(), line -> out.println("[" + job + "] " + line))
                            .whenComplete((code, error) -> {
                                running.remove(label);
                                if ((error != null || code != 0) && !c.mayFail()) {
                                    failed.add(c.node() + "$ " + c.command());
                                }
                                out.println("[" + job + "] " + (error != null ? "Failed: " + error.getMessage()
                                        : code == 0 ? "Done" : "Exit " + code) + "    " + c.node() + "$ " + c.command());
                            });
                } else if (s instanceof LabScript.Command c) {
                    out.println();
                    out.println(c.node() + "$ " + c.command());
                    ExecResult r = lab.run(c.node(), c.command(), Duration.ofMinutes(5));
                    r.output().forEach(out::println);
                    if (r.exitCode() != 0) {
                        out.println("[exit " + r.exitCode() + "]" + (c.mayFail() ? " (expected: || true)" : ""));
                        if (!c.mayFail()) {
                            failed.add(c.node() + "$ " + c.command());
                        }
                    }
                }
            }
            if (o.time() == TimeMode.REAL) {
                holdOpen(o.duration());
            } else {
                lab.advance(Duration.ofMillis(100)); // let replies and timers that are due settle
            }
            for (String job : running) {
                out.println(job + " &    (still running when the lab stopped)");
            }
            out.println();
            if (o.events()) {
                TraceSummary.timeline(lab.trace().frames(), lab.trace().events()).forEach(out::println);
                out.println();
            }
            trace.flush(); // everything so far counted and written
            trace.counts().summary(lab.nanos()).forEach(out::println);
            long[] lag = lab.realTimeLag();
            if (lag != null) {
                out.printf(java.util.Locale.ROOT, "  real time:          %d timers ran, %d of them more than %d ms late, the latest"
                        + " %.1f ms after its time%s%n", lag[0], lag[1], RealTimeLoop.LATE_NANOS / 1_000_000, lag[2] / 1e6,
                        lag[1] == 0 ? " (the loops kept up)" : " (the loops fell behind real time)");
            }
            if (lab.overheardDetail().limitedReceivers() > 0) {
                out.printf("  overheard:          %d broadcasts had more than %d receivers; %d receivers counted what they"
                        + " overheard (node counters arp.requests_overheard, udp.broadcasts_overheard...) instead of"
                        + " tracing it (one trace.detail_limited event per broadcast; -D%s=N sets the limit)%n",
                        lab.overheardDetail().limitedBroadcasts(), lab.overheardDetail().limit(),
                        lab.overheardDetail().limitedReceivers(), OverheardDetail.PROPERTY);
            }
            writeCapture(lab, trace, pcap, o.pcapView());
            out.println("Events: " + trace.eventsFile() + " (" + trace.counts().events() + " events, one line each"
                    + (o.events() ? "" : "; --events prints them here, between the frames") + ")");
            if (trace.frameErrors() + trace.eventErrors() > 0) {
                err.println("wirelab: " + trace.frameErrors() + " frames and " + trace.eventErrors()
                        + " events could not be written to disk (is it full?)");
            }
            if (!failed.isEmpty()) {
                // As a shell script with set -e would: a failed command fails the run (exit 1).
                err.println("wirelab: " + failed.size() + " command" + (failed.size() == 1 ? "" : "s")
                        + " failed (end a line with '|| true' when a failure is expected): " + failed);
                return 1;
            }
        }
        return 0;
    }

    /**
     * The capture file can be written: not a directory, in a directory that exists (the default
     * captures/ is made), so a mistake shows before the lab runs, not after.
     */
    private static void checkCaptureFile(Path pcap, boolean explicit) {
        if (Files.isDirectory(pcap)) {
            throw new UsageException("--pcap " + pcap + " is a directory; give a file such as " + pcap.resolve("lab.pcapng"));
        }
        Path dir = pcap.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            if (explicit) {
                throw new UsageException("--pcap " + pcap + ": directory " + dir + " does not exist");
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UsageException("cannot make " + dir + " for the capture: " + e.getMessage());
            }
        }
        if (dir != null && !Files.isWritable(dir)) {
            throw new UsageException("--pcap " + pcap + ": directory " + dir + " is not writable");
        }
    }

    /**
     * The capture: by default each conversation once, from one segment (a routed TCP segment seen on
     * every segment it crossed would otherwise look like retransmissions with overlapping data to
     * Wireshark); on request every frame in one file, or one file per segment.
     */
    private void writeCapture(Lab lab, StreamedTrace trace, Path pcap, String view) throws IOException {
        FrameSpool spool = trace.spool();
        long frames = spool.frames();
        switch (view) {
            case "all" -> {
                PcapngWriter.write(spool, lab.epochUnixNanos(), pcap, CaptureView.ALL);
                out.println("Capture: " + pcap + " (" + frames + " frames, every frame of every segment, one"
                        + " interface per segment: a routed packet shows once per segment it crossed)");
            }
            case "segments" -> {
                String stem = stem(pcap);
                Map<String, Path> files = new LinkedHashMap<>();
                for (String segment : lab.topology().segmentNames()) {
                    files.put(segment, pcap.resolveSibling(stem + "-" + segment + ".pcapng"));
                }
                Map<String, Long> counts = PcapngWriter.writeSegments(spool, lab.epochUnixNanos(), files);
                files.forEach((segment, file) -> out.println("Capture: " + file + " (" + counts.get(segment)
                        + " frames of segment " + segment + ")"));
            }
            default -> {
                long kept = PcapngWriter.write(spool, lab.epochUnixNanos(), pcap, CaptureView.CONVERSATIONS);
                out.println("Capture: " + pcap + " (" + kept + " of " + frames + " frames: each"
                        + " conversation once, from one segment; open it with Wireshark or tshark -r;"
                        + " --pcap-view all for every frame of every segment)");
            }
        }
    }

    /** The capture file's name without ".pcapng". */
    private static String stem(Path pcap) {
        String name = pcap.getFileName().toString();
        return name.endsWith(".pcapng") ? name.substring(0, name.length() - ".pcapng".length()) : name;
    }

    private void holdOpen(Duration duration) {
        if (duration.isZero()) {
            out.println("Lab running in real time; press Ctrl-C to stop and write the capture.");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    // The JVM ends when the hooks have: first let the capture and the events file be written.
                    written.await(SHUTDOWN_WRITE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            out.println("Lab running in real time for " + Units.formatDuration(duration.toNanos()) + ".");
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void printHeader(Lab lab) {
        Topology t = lab.topology();
        out.printf("Lab %s: %d nodes, %d segments, %s time, seed %d%n", t.name(), t.nodes().size(), t.segments().size(),
                lab.timeMode().name().toLowerCase(), lab.seed());
        for (Map.Entry<String, NodeSpec> e : t.nodes().entrySet()) {
            Node n = lab.node(e.getKey());
            for (NetworkInterface ifc : n.interfaces()) {
                InterfaceSpec spec = e.getValue().interfaces().get(ifc.name());
                out.printf("  %-10s %-7s %-5s %s  mtu %-5d %-18s segment %s%n", e.getKey(), e.getValue().kind(), ifc.name(),
                        ifc.mac(), ifc.mtu(), spec.address() == null ? "-" : spec.address().toString(), spec.segment());
            }
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
