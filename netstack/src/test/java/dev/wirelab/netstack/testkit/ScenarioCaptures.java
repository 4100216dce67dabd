package dev.wirelab.netstack.testkit;

import dev.wirelab.netstack.trace.CapturedFrame;
import dev.wirelab.netstack.trace.PcapngWriter;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the capture of every scenario a test runs, without each test having to ask: a test lab
 * registers its frame source when it is made, and after each test this extension (registered for
 * every test through JUnit's extension auto-detection) writes what each registered lab saw to
 * {@code target/captures/<TestClass>/<testMethod>[-N].pcapng}, ready to open in Wireshark.
 */
public final class ScenarioCaptures implements AfterEachCallback {

    private record Source(Supplier<List<CapturedFrame>> frames, long epochUnixNanos) {
    }

    private static final ThreadLocal<List<Source>> SOURCES = ThreadLocal.withInitial(ArrayList::new);

    /** Registers a lab's frames with the test running on this thread. */
    public static void register(Supplier<List<CapturedFrame>> frames, long epochUnixNanos) {
        SOURCES.get().add(new Source(frames, epochUnixNanos));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<Source> sources = new ArrayList<>(SOURCES.get());
        SOURCES.get().clear();
        String name = context.getRequiredTestMethod().getName();
        Path dir = Captures.DIR.resolve(context.getRequiredTestClass().getSimpleName());
        int n = 0;
        for (Source s : sources) {
            List<CapturedFrame> frames = s.frames().get();
            if (frames.isEmpty()) {
                continue;
            }
            String file = name + (n == 0 ? "" : "-" + n) + ".pcapng";
            PcapngWriter.write(frames, s.epochUnixNanos(), dir.resolve(file));
            n++;
        }
    }
}
