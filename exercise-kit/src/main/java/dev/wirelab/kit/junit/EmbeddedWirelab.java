package dev.wirelab.kit.junit;

import dev.wirelab.control.ControlApiApplication;
import dev.wirelab.kit.client.WirelabClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control API in the test's own JVM, with its embedded runtime and an embedded PostgreSQL:
 * exercises run without Docker. Started once per JVM on a free loopback port (and stopped when the
 * JVM ends); test methods and constructors take a {@link WirelabClient} parameter.
 * <pre>
 * &#64;ExtendWith(EmbeddedWirelab.class)
 * class MyExercise {
 *     &#64;Test void leases(WirelabClient wirelab) { ... }
 * }
 * </pre>
 * The database lives in {@code target/wirelab-embedded/pg} (emptied at start); the examples come
 * from the nearest {@code examples/} directory above the working directory, or the system property
 * {@code wirelab.examples}. The docker runtime works too, when a Docker engine and the node images
 * are there.
 */
public final class EmbeddedWirelab implements ParameterResolver {

    private static ConfigurableApplicationContext context;
    private static WirelabClient client;

    /** The shared server's client (starting it on first use). */
    public static synchronized WirelabClient client() {
        if (client == null) {
            String examples = System.getProperty("wirelab.examples", examplesDir().toString());
            SpringApplication app = new SpringApplication(ControlApiApplication.class);
            context = app.run("--server.port=0", "--server.address=127.0.0.1",
                    "--wirelab.db.embedded.data-dir=target/wirelab-embedded/pg", "--wirelab.db.embedded.clean=true",
                    "--wirelab.examples=" + examples, "--wirelab.import-examples=false",
                    "--logging.level.root=WARN");
            String port = context.getEnvironment().getProperty("local.server.port");
            client = WirelabClient.connect("http://127.0.0.1:" + port);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> context.close(), "wirelab-embedded-stop"));
        }
        return client;
    }

    /** The nearest {@code examples/} directory (with journey.yaml) above the working directory. */
    public static Path examplesDir() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            if (Files.isRegularFile(d.resolve("examples").resolve("journey.yaml"))) {
                return d.resolve("examples");
            }
            d = d.getParent();
        }
        return Path.of("examples").toAbsolutePath();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == WirelabClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return client();
    }
}
