package dev.wirelab.control.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.wirelab.control.config.WirelabProperties;
import dev.wirelab.control.ingest.RunTrace;
import dev.wirelab.control.runtime.NodeRuntime;
import dev.wirelab.control.runtime.RunNodes;
import dev.wirelab.control.store.RunRepository;
import dev.wirelab.netstack.lab.TimeMode;
import dev.wirelab.netstack.lab.topology.Topology;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every node of a run in its own container (docker-java), its NICs VXLAN ports of a bus in this
 * JVM. Containers and networks carry labels: {@value #LABEL_INSTALLATION} (this installation, from
 * its database), run, lab, node, kind. At start the control API removes every container and
 * network of its installation: no run of them is live any more (an earlier control API was killed,
 * or stopped without cleaning up).
 */
@Component
public class DockerRuntime implements NodeRuntime {

    public static final String NAME = "docker";
    public static final String LABEL_INSTALLATION = "dev.wirelab.installation";
    public static final String LABEL_RUN = "dev.wirelab.run";
    public static final String LABEL_LAB = "dev.wirelab.lab";
    public static final String LABEL_NODE = "dev.wirelab.node";
    public static final String LABEL_KIND = "dev.wirelab.kind";

    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    private final WirelabProperties.Docker settings;
    private final RunRepository runs;
    private final SubnetPool pool;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private volatile DockerClient docker;
    private volatile String installation;

    public DockerRuntime(WirelabProperties props, RunRepository runs) {
        this.settings = props.docker();
        this.runs = runs;
        this.pool = SubnetPool.parse(settings.subnetPool());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The Docker client (made on first use: the embedded runtime never needs Docker). */
    synchronized DockerClient docker() {
        if (docker == null) {
            DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder();
            if (!settings.host().isBlank()) {
                b.withDockerHost(settings.host());
            }
            DockerClientConfig config = b.build();
            ApacheDockerHttpClient client = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                    .sslConfig(config.getSSLConfig()).maxConnections(64)
                    .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(60)).build();
            docker = DockerClientImpl.getInstance(config, client);
        }
        return docker;
    }

    /** Whether a Docker daemon answers, or why not. */
    public Optional<String> unavailable() {
        try {
            docker().pingCmd().exec();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("no Docker daemon answers at " + describeHost() + ": " + e.getMessage());
        }
    }

    private String describeHost() {
        return settings.host().isBlank() ? Optional.ofNullable(System.getenv("DOCKER_HOST"))
                .orElse("unix:///var/run/docker.sock") : settings.host();
    }

    @Override
    public Optional<String> refusal(TimeMode mode) {
        if (mode == TimeMode.VIRTUAL) {
            return Optional.of("the docker runtime runs in real time only: every node container runs on the kernel's "
                    + "clock, which the control API can neither stop nor step, so lab time cannot be virtual. Start "
                    + "the run with \"timeMode\": \"real\", or use the embedded runtime for virtual time");
        }
        return unavailable().map(why -> "the docker runtime cannot start runs: " + why);
    }

    @Override
    public RunNodes create(long runId, String labName, Topology topology, TimeMode mode, long seed, RunTrace trace) {
        return DockerNodes.create(this, runId, labName, topology, seed, trace);
    }

    WirelabProperties.Docker settings() {
        return settings;
    }

    SubnetPool pool() {
        return pool;
    }

    HttpClient http() {
        return http;
    }

    /** This installation's id (its database's). */
    synchronized String installation() {
        if (installation == null) {
            installation = runs.installationId();
        }
        return installation;
    }

    /** At start: removes the containers and networks an earlier control API of this installation left. */
    @EventListener(ApplicationReadyEvent.class)
    public void sweepLeftovers() {
        if (unavailable().isPresent()) {
            log.debug("No Docker daemon: nothing to sweep");
            return;
        }
        int[] n = sweep(Map.of(LABEL_INSTALLATION, installation()));
        if (n[0] + n[1] > 0) {
            log.warn("Removed {} container(s) and {} network(s) left by runs no longer live", n[0], n[1]);
        }
    }

    /** Removes every container and network with these labels; answers how many of each. */
    int[] sweep(Map<String, String> labels) {
        DockerClient d = docker();
        int containers = 0;
        int networks = 0;
        for (Container c : d.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
            try {
                d.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                containers++;
            } catch (RuntimeException e) {
                log.warn("Could not remove container {}: {}", c.getId(), e.getMessage());
            }
        }
        List<String> filter = labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        for (Network net : d.listNetworksCmd().withFilter("label", filter).exec()) {
            try {
                if (!settings.self().isBlank()) {
                    try {
                        d.disconnectFromNetworkCmd().withNetworkId(net.getId()).withContainerId(settings.self())
                                .withForce(true).exec();
                    } catch (RuntimeException notConnected) {
                        // it was not
                    }
                }
                d.removeNetworkCmd(net.getId()).exec();
                networks++;
            } catch (RuntimeException e) {
                log.warn("Could not remove network {}: {}", net.getName(), e.getMessage());
            }
        }
        return new int[]{containers, networks};
    }

    @PreDestroy
    public void close() throws java.io.IOException {
        if (docker != null) {
            docker.close();
        }
    }
}
