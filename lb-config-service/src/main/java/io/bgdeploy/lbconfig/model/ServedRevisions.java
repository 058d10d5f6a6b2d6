package io.bgdeploy.lbconfig.model;

import io.bgdeploy.lb.model.AgentUrl;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks an agent which etcd revision its HAProxy serves, answered as soon as it serves {@code
 * atLeast}: how a waiting command hears the agents before their reports reach etcd.
 */
public interface ServedRevisions {

    /**
     * The revision the agent serves once it is at least {@code atLeast}, or what it serves after
     * {@code wait}; completes exceptionally when the agent cannot be asked or its answer is not
     * one (etcd remains the way to hear it then).
     */
    CompletableFuture<Long> served(String agentId, AgentUrl url, long atLeast, Duration wait);
}
