package dev.wirelab.exercises;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The student tasks' topologies (src/test/resources/tasks/NAME/{starter,solution}.yaml). */
final class Tasks {

    private Tasks() {
    }

    static String topology(String task, String which) {
        try (InputStream in = Tasks.class.getResourceAsStream("/tasks/" + task + "/" + which + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("no task " + task + "/" + which);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
