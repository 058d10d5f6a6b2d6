package io.bgdeploy.lbconfig.agent;

import io.bgdeploy.events.Names;
import io.bgdeploy.lbconfig.render.HaproxySettings;
import io.bgdeploy.lbconfig.render.HaproxySocketPath;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one agent runs.
 *
 * @param agentId           unique among agents (host name by default)
 * @param binary            the haproxy executable (validation, and start when {@code startHaproxy})
 * @param configFile        the haproxy.cfg HAProxy loads; replaced atomically
 * @param masterSocket      HAProxy's master CLI socket
 * @param startHaproxy      start HAProxy here (local runs) instead of using a running one
 * @param haproxy           listeners of the rendered file
 * @param leaseTtl          registration lease: the agent counts as gone this long after it stops
 * @param reconcileInterval full re-read even when the watch is silent
 * @param reloadTimeout     how long a reload may take until it counts as failed
 */
public record AgentSettings(String agentId, Path binary, Path configFile, Path masterSocket, boolean startHaproxy,
                            HaproxySettings haproxy, Duration leaseTtl, Duration reconcileInterval,
                            Duration reloadTimeout) {

    public AgentSettings {
        Names.requireServerName(agentId);
        Names.requireSafeFilePath(configFile.toAbsolutePath().toString());
        HaproxySocketPath.require(masterSocket.toAbsolutePath().toString(), "HAProxy master socket");
    }
}
