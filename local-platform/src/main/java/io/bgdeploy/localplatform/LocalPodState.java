package io.bgdeploy.localplatform;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What another process needs to adopt a local pod that still runs, and to restart its
 * containers later: one file per pod in the state directory, rewritten whenever a container starts.
 *
 * @param ports      every container port of the pod to its local port
 * @param supervisor the process that supervises the pod; another one adopts the pod only
 *                   once this one no longer runs
 * @param terminatingSince when the pod's deletion began (its processes got or get SIGTERM, and
 *                   SIGKILL after the grace period); null while it is not being deleted. A pod
 *                   being deleted is never adopted into its workload again: another supervisor
 *                   only finishes stopping it (as a kubelet does with a pod that has a deletion
 *                   timestamp)
 */
public record LocalPodState(String namespace, String workload, String appName, String version, String deploymentId,
                            String podName, Map<Integer, Integer> ports, LocalPlatform.Supervisor supervisor,
                            List<Container> containers, Instant terminatingSince) {

    public LocalPodState {
        if (namespace == null || workload == null || podName == null || supervisor == null || containers == null
                || containers.isEmpty() || ports == null) {
            throw new IllegalArgumentException("pod state without namespace, workload, pod name, ports, supervisor"
                    + " or containers");
        }
        ports = Map.copyOf(ports);
        containers = List.copyOf(containers);
    }

    /**
     * One container of the pod.
     *
     * @param pid           its process, 0 while it is not running
     * @param startedMillis the process's start time, to tell it from a later process with the same pid
     * @param restarts      how often it was restarted
     */
    public record Container(String name, long pid, long startedMillis, int restarts, List<String> argv,
                            Map<String, String> env, boolean builtin, long memoryLimitBytes) {

        public Container {
            if (name == null || argv == null || env == null) {
                throw new IllegalArgumentException("container state without name, argv or env");
            }
        }

        LocalLaunch launch() {
            return new LocalLaunch(name, argv, env, builtin, memoryLimitBytes);
        }
    }
}
