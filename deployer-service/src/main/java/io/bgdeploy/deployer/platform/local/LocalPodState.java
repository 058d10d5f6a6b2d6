package io.bgdeploy.deployer.platform.local;

import java.util.List;
import java.util.Map;

/** What a restarted deployer needs to adopt a local pod that still runs, and to restart it later. */
public record LocalPodState(String namespace, String workload, String appName, String version, String deploymentId,
                            String podName, String container, long pid, long startedMillis,
                            Map<Integer, Integer> ports, List<String> argv, Map<String, String> env, boolean builtin) {
}
