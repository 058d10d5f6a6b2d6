package io.bgdeploy.lbagent.sync;

import io.bgdeploy.events.Names;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.render.HaproxySocketPath;

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
 * @param reloadTimeout     how long a reload may take until it counts as failed, growing with the configuration
 * @param serverDrainTimeout how long a server that leaves keeps its open connections before they are
 *                          shut down and it is deleted
 */
public record AgentSettings(String agentId, Path binary, Path configFile, Path masterSocket, boolean startHaproxy,
                            HaproxySettings haproxy, Duration leaseTtl, Duration reconcileInterval,
                            ReloadTimeout reloadTimeout, Duration serverDrainTimeout) {

    public AgentSettings {
        Names.requireServerName(agentId);
        Names.requireSafeFilePath(configFile.toAbsolutePath().toString());
        HaproxySocketPath.require(masterSocket.toAbsolutePath().toString(), "HAProxy master socket");
        Names.requireSafeFilePath(configFile.toAbsolutePath().resolveSibling(MAP_FILE).toString());
    }

    /**
     * The workers' Runtime API socket beside the master socket, named after it ({@code master.sock}:
     * {@code master-worker.sock}), so that agents sharing a directory keep theirs apart. Refused,
     * naming the master socket's setting, when HAProxy could not bind it.
     */
    public static String workerSocketBeside(Path masterSocket) {
        Path master = masterSocket.toAbsolutePath();
        String name = master.getFileName().toString();
        String base = name.endsWith(".sock") ? name.substring(0, name.length() - ".sock".length()) : name;
        String worker = master.resolveSibling(base + "-worker.sock").toString();
        return HaproxySocketPath.require(worker, "HAProxy workers' socket (beside the master socket; choose a shorter"
                + " lbagent.haproxy.master-socket)");
    }

    /** Name of the hosts map, beside haproxy.cfg. */
    public static final String MAP_FILE = "hosts.map";

    /** The hosts map file HAProxy routes with; its path is written into haproxy.cfg and Runtime API commands. */
    public Path mapFile() {
        return configFile.toAbsolutePath().resolveSibling(MAP_FILE);
    }
}
