package dev.wirelab.kit.testcontainers;

import dev.wirelab.kit.client.Lab;
import dev.wirelab.kit.client.Runtime;
import dev.wirelab.kit.client.WirelabClient;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The Wirelab control API as a Testcontainers container (image {@code wirelab/control-api:local},
 * built by {@code infra/build-images.sh}). By default it keeps its trace in the embedded PostgreSQL
 * inside the container and runs nodes in its own JVM (runtime embedded); {@code withRuntime(DOCKER)}
 * gives it the Docker socket so that it starts a container per node. It listens beyond loopback
 * inside its container, so its API token is on: {@link #client()} sends it.
 * <pre>
 * &#64;Container
 * static WirelabContainer wirelab = new WirelabContainer().withLab(Path.of("labs/my-lab.yaml"));
 * </pre>
 */
public class WirelabContainer extends GenericContainer<WirelabContainer> {

    public static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse("wirelab/control-api:local");
    public static final int PORT = 8080;

    private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private String labTopology;
    private Lab lab;
    private Runtime runtime = Runtime.EMBEDDED;

    public WirelabContainer() {
        this(DEFAULT_IMAGE);
    }

    public WirelabContainer(DockerImageName image) {
        super(image);
        withExposedPorts(PORT);
        withEnv("WIRELAB_SECURITY_TOKEN", token);
        // The embedded PostgreSQL's data in the container's /tmp (the image's user has no home).
        withEnv("WIRELAB_DB_EMBEDDED_DATADIR", "/tmp/wirelab-pg");
        // Starts with no labs (the examples stay available with createLabFromExample).
        withEnv("WIRELAB_IMPORTEXAMPLES", "false");
        waitingFor(Wait.forHttp("/actuator/health").forPort(PORT).forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(3)));
    }

    /** A lab created from this topology once the container is up ({@link #lab()}). */
    public WirelabContainer withLab(String topology) {
        this.labTopology = topology;
        return self();
    }

    public WirelabContainer withLab(Path topologyFile) {
        try {
            return withLab(Files.readString(topologyFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the runs' nodes live. {@code DOCKER} mounts the Docker socket and adds the control API's
     * (unprivileged) user to the socket's group, so that it may start node containers; it stays
     * non-root, which the embedded PostgreSQL inside requires (initdb refuses root). Node
     * containers are unprivileged too. Needs the Docker socket on this machine.
     */
    public WirelabContainer withRuntime(Runtime runtime) {
        this.runtime = runtime;
        if (runtime == Runtime.DOCKER) {
            String name = "wirelab-tc-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
            String socketGroup = socketGroup(Path.of("/var/run/docker.sock"));
            withCreateContainerCmdModifier(cmd -> {
                cmd.withName(name);
                cmd.getHostConfig().withGroupAdd(java.util.List.of(socketGroup));
            });
            withFileSystemBind("/var/run/docker.sock", "/var/run/docker.sock");
            withEnv("WIRELAB_RUNTIME_DEFAULT", "docker");
            withEnv("WIRELAB_DOCKER_SELF", name);
        } else {
            withEnv("WIRELAB_RUNTIME_DEFAULT", "embedded");
        }
        return self();
    }

    /** The numeric group owning the Docker socket, or a clear error when there is none here. */
    static String socketGroup(Path socket) {
        try {
            return String.valueOf(Files.getAttribute(socket, "unix:gid"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("withRuntime(DOCKER) mounts the Docker socket " + socket
                    + " into the control API's container, but it cannot be read here: " + e, e);
        }
    }

    public Runtime runtime() {
        return runtime;
    }

    /** The API's address as the test reaches it, e.g. {@code http://localhost:32771}. */
    public String getBaseUrl() {
        return "http://" + getHost() + ":" + getMappedPort(PORT);
    }

    public String token() {
        return token;
    }

    /** A client of this container's API, with its token. */
    public WirelabClient client() {
        return WirelabClient.connect(getBaseUrl(), token);
    }

    /** The lab of {@link #withLab}, created when the container started; null without one. */
    public Lab lab() {
        return lab;
    }

    @Override
    protected void containerIsStarted(com.github.dockerjava.api.command.InspectContainerResponse info) {
        super.containerIsStarted(info);
        if (labTopology != null) {
            lab = client().createLab(labTopology);
        }
    }
}
