package dev.wirelab.kit.testcontainers;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

import java.util.List;

/**
 * Whether exercises can run on the docker runtime: a Docker engine and the node images
 * ({@code infra/build-images.sh}). Without them a test is skipped with the reason, unless
 * {@code WIRELAB_REQUIRE_DOCKER=true} (CI), where it fails instead: CI must not skip silently.
 */
public final class DockerAvailable {

    public static final List<String> NODE_IMAGES = List.of("wirelab/host-service:local", "wirelab/router-service:local",
            "wirelab/dhcp-service:local", "wirelab/dns-service:local");

    private DockerAvailable() {
    }

    /** Why Docker exercises cannot run here, or null when they can. */
    public static String missing(List<String> images) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine: start dockerd to run the docker runtime's exercises";
        }
        for (String image : images) {
            try {
                DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            } catch (RuntimeException e) {
                return "no image " + image + ": build the images with infra/build-images.sh";
            }
        }
        return null;
    }

    /** Skips (or with WIRELAB_REQUIRE_DOCKER=true fails) unless these images and an engine are there. */
    public static void assume(List<String> images) {
        String why = missing(images);
        if (why != null && "true".equals(System.getenv("WIRELAB_REQUIRE_DOCKER"))) {
            throw new AssertionError("WIRELAB_REQUIRE_DOCKER=true but " + why);
        }
        Assumptions.assumeTrue(why == null, why);
    }
}
