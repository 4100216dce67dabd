package dev.wirelab.control.runtime;

import dev.wirelab.netstack.inspect.NodeState;
import dev.wirelab.netstack.lab.Lab;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The nodes of one run, wherever its runtime placed them, and the bus they share. */
public interface RunNodes {

    /** A node and whether it is up ({@code up}, {@code down}, {@code starting}). */
    record NodeEntry(String name, String kind, String status) {
        public boolean running() {
            return "up".equals(status);
        }
    }

    String runtime();

    /** The run's lab: the bus (segments, impairments, capture) and, embedded, the nodes too. */
    Lab lab();

    boolean virtual();

    /** Lab time now. */
    long nanos();

    /** Brings the nodes up (after this the run is running). */
    void start() throws Exception;

    List<NodeEntry> nodes();

    /** The node's entry, or {@link dev.wirelab.control.errors.NotFoundException}. */
    NodeEntry node(String name);

    /** Runs a command line on a node; {@code output} gets each line as printed. Exit 124 after {@code timeout}. */
    CompletableFuture<ExecOutcome> exec(String node, String command, Duration timeout, Consumer<String> output);

    /** The node's state document ({@link NodeState#of}). */
    CompletableFuture<Map<String, Object>> state(String node);

    /** Every node in brief, in topology order (a node that is down: not running, no counters). */
    List<NodeState.Brief> briefs();

    /** Lets lab time pass (virtual time only). */
    CompletableFuture<Long> advance(Duration d);

    /** Brings a node back with its configuration (after it died, or to reset it). */
    CompletableFuture<NodeEntry> restart(String node);

    /** Stops every node and the bus, and removes what the runtime created. */
    void close();
}
