package dev.wirelab.kit.client;

/** Where a run's nodes live: in the control API's JVM, or each in its own container. */
public enum Runtime {
    /** Every node in the control API's JVM; virtual or real time. */
    EMBEDDED("embedded"),
    /** Every node its own container (real time only). */
    DOCKER("docker");

    private final String apiName;

    Runtime(String apiName) {
        this.apiName = apiName;
    }

    /** The name the API uses ({@code "embedded"}, {@code "docker"}). */
    public String apiName() {
        return apiName;
    }
}
