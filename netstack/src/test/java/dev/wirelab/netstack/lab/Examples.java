package dev.wirelab.netstack.lab;

import dev.wirelab.netstack.lab.topology.Topologies;
import dev.wirelab.netstack.lab.topology.Topology;

import java.nio.file.Files;
import java.nio.file.Path;

/** The topology files shipped in examples/ at the repository root. */
final class Examples {

    private Examples() {
    }

    static Path path(String file) {
        for (Path dir : new Path[] {Path.of("examples"), Path.of("..", "examples")}) {
            Path p = dir.resolve(file);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("examples/" + file + " not found from " + Path.of("").toAbsolutePath());
    }

    static Topology load(String file) {
        return Topologies.parseYaml(path(file));
    }
}
