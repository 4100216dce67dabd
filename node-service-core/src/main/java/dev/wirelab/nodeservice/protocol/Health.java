package dev.wirelab.nodeservice.protocol;

import dev.wirelab.netstack.inspect.NodeState;

/**
 * A node container's health.
 *
 * @param status  {@code up} once the node runs
 * @param service the service that runs it (host-service, router-service...)
 * @param bootId  the process's boot (see {@link EventBatch#bootId()})
 * @param brief   the node in brief
 */
public record Health(String status, long runId, String node, String kind, String service, String bootId,
                     NodeState.Brief brief) {
}
