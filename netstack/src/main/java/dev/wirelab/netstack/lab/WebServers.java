package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.http.DefaultSite;
import dev.wirelab.netstack.lab.topology.NodeSpec;
import dev.wirelab.netstack.lab.topology.WebKind;
import dev.wirelab.netstack.node.Node;
import dev.wirelab.netstack.socket.NodeFiles;
import dev.wirelab.netstack.time.EventLoop;
import dev.wirelab.netstack.trace.TraceSink;

import java.util.concurrent.CompletableFuture;

/**
 * Nodes of kind {@code web}: a host with the topology's files (or the built-in site) that starts
 * {@code httpd} with the topology's options when it boots, as an init system would, and stops it
 * when the node stops. The daemon's output lines become trace events (layer "program", kind "output").
 */
final class WebServers {

    private WebServers() {
    }

    static Node make(String name, NodeSpec spec, EventLoop loop, TraceSink trace) {
        Node node = Node.host(name, loop, trace);
        WebKind.Settings s = (WebKind.Settings) spec.settings();
        NodeFiles files = NodeFiles.of(node);
        s.files().forEach(files::put);
        if (s.files().isEmpty()) {
            DefaultSite.install(files, s.root());
        }
        String command = s.httpd().isEmpty() ? "httpd" : "httpd " + s.httpd();
        CompletableFuture<?>[] running = new CompletableFuture<?>[1];
        node.onStart(() -> running[0] = node.exec(command,
                line -> node.event("program", "output", "program", "httpd", "line", line)));
        node.onStop(() -> {
            if (running[0] != null) {
                running[0].cancel(false); // like a SIGINT from the init system
                running[0] = null;
            }
        });
        return node;
    }
}
