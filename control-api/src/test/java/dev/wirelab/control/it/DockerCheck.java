package dev.wirelab.control.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Whether the docker runtime's tests can run: a Docker daemon and the node images
 * (infra/build-images.sh). Without them the tests are skipped with that reason, unless
 * WIRELAB_REQUIRE_DOCKER=true (CI sets it), when they fail instead: CI must not skip them silently.
 */
final class DockerCheck {

    static final List<String> IMAGES = List.of("wirelab/host-service:local", "wirelab/router-service:local",
            "wirelab/dhcp-service:local", "wirelab/dns-service:local");

    private DockerCheck() {
    }

    static DockerClient client() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build());
    }

    /** Skips (or, with WIRELAB_REQUIRE_DOCKER=true, fails) unless Docker and the images are there. */
    static DockerClient require() {
        String why = null;
        DockerClient d = client();
        try {
            d.pingCmd().exec();
            for (String image : IMAGES) {
                try {
                    d.inspectImageCmd(image).exec();
                } catch (RuntimeException e) {
                    why = "no image " + image + ": build the images with infra/build-images.sh";
                    break;
                }
            }
        } catch (RuntimeException e) {
            why = "no Docker daemon (" + e.getMessage() + "): start dockerd to run the docker runtime's tests";
        }
        if (why != null && "true".equals(System.getenv("WIRELAB_REQUIRE_DOCKER"))) {
            throw new AssertionError("WIRELAB_REQUIRE_DOCKER=true but " + why);
        }
        assumeTrue(why == null, why);
        return d;
    }
}
