package dev.wirelab.netstack.testkit;

import dev.wirelab.netstack.lab.Lab;
import dev.wirelab.netstack.trace.CaptureView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Where tests keep the captures of the scenarios they run: target/captures of the module. */
public final class Captures {

    public static final Path DIR = Path.of("target", "captures");

    private Captures() {
    }

    /** Writes the frames of {@code view} to target/captures/NAME.pcapng and returns its path. */
    public static Path save(Lab lab, String name, CaptureView view) {
        Path p = DIR.resolve(name + ".pcapng");
        try {
            lab.writePcapng(p, view);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Writes every frame of the lab's capture to target/captures/NAME.pcapng and returns its path. */
    public static Path save(Lab lab, String name) {
        Path p = DIR.resolve(name + ".pcapng");
        try {
            lab.writePcapng(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
