package io.bgdeploy.events.lb;

import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;

/**
 * A change to the load-balancer configuration, applied by lb-config-service as one etcd
 * transaction and answered by exactly one {@link LbCommandApplied} or {@link LbCommandRejected}.
 * Commands are idempotent by {@code commandId}.
 */
public sealed interface LbCommand extends EventData
        permits UpsertBackend, SwitchFrontend, RemoveBackend, RemoveFrontend {

    String commandId();

    /** The deployment that issued it; absent for an operator's command. */
    String deploymentId();

    String namespace();

    String appName();

    @Override
    default String key() {
        return Keys.app(namespace(), appName());
    }
}
