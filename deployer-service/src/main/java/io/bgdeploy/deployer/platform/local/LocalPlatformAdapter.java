package io.bgdeploy.deployer.platform.local;

import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.localplatform.LaunchSpec;
import io.bgdeploy.localplatform.LocalPlatform;
import io.bgdeploy.localplatform.RunningPod;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The deployer's {@link Platform} on the local platform (module {@code local-platform}, pods as
 * processes on this machine; {@code deployer.platform=local}, for the local run and tests): each
 * {@link WorkloadSpec} becomes a {@link LaunchSpec} ({@link LaunchSpecs}), and the local platform's
 * pod reports become the deployer's. The local platform has no stable addresses.
 */
public final class LocalPlatformAdapter implements Platform {

    private static final Logger LOG = Logger.getLogger(LocalPlatformAdapter.class);

    private final LocalPlatform local;
    private final AutoCloseable podOutput;

    /** @param podOutput where the platform's sink delivers the pods' output; closed after the platform at shutdown */
    public LocalPlatformAdapter(LocalPlatform local, AutoCloseable podOutput) {
        this.local = local;
        this.podOutput = podOutput;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<String> check(WorkloadSpec spec) {
        LaunchSpecs.Translation translation = LaunchSpecs.translate(spec);
        List<String> problems = new ArrayList<>(translation.problems());
        problems.addAll(local.problems(translation.launch(), "podspec.containers"));
        return problems;
    }

    @Override
    public void create(WorkloadSpec spec, PodListener listener) {
        local.create(LaunchSpecs.translate(spec).launch(), reportingTo(listener));
    }

    @Override
    public void attach(String namespace, String workloadName, PodListener listener) {
        local.attach(namespace, workloadName, reportingTo(listener));
    }

    @Override
    public List<PodInfo> pods(String namespace, String workloadName) {
        return local.pods(namespace, workloadName).stream().map(LocalPlatformAdapter::podInfo).toList();
    }

    @Override
    public boolean exists(String namespace, String workloadName) {
        return local.exists(namespace, workloadName);
    }

    @Override
    public void scale(String namespace, String workloadName, int replicas) {
        local.scale(namespace, workloadName, replicas);
    }

    @Override
    public void delete(String namespace, String workloadName) {
        local.delete(namespace, workloadName);
    }

    @Override
    public List<String> workloads(String namespace, String appName) {
        return local.workloads(namespace, appName);
    }

    @Override
    public List<WorkloadRef> managedWorkloads() {
        return local.managedWorkloads().stream().map(w -> new WorkloadRef(w.namespace(), w.name())).toList();
    }

    @Override
    public boolean takeOver(String namespace, String appName) {
        return local.takeOver(namespace, appName);
    }

    @Override
    public Set<String> appsToTakeOver() {
        return local.appsToTakeOver();
    }

    @Override
    public boolean needsRestore(WorkloadSpec spec) {
        return local.needsRestore(LaunchSpecs.translate(spec).launch());
    }

    @Override
    public boolean restore(WorkloadSpec spec, PodListener listener) {
        return local.restore(LaunchSpecs.translate(spec).launch(), reportingTo(listener));
    }

    /**
     * Stops with the deployer: every pod first if asked (their last lines delivered), then the
     * delivery of their output; lines not confirmed by then stay in their files for the next
     * supervising process.
     */
    public void shutdown(boolean stopPods) {
        try {
            if (stopPods) {
                local.stopAll();
            }
        } finally {
            try {
                podOutput.close();
            } catch (Exception e) {
                LOG.warnf("closing the delivery of pod output failed: %s", e.getMessage());
            }
        }
    }

    private static PodInfo podInfo(RunningPod pod) {
        return new PodInfo(pod.name(), pod.address(), pod.ports(), pod.node());
    }

    /** The local platform's listener that reports to the deployer's. */
    private static io.bgdeploy.localplatform.PodListener reportingTo(PodListener listener) {
        if (listener == PodListener.NONE) {
            return io.bgdeploy.localplatform.PodListener.NONE;
        }
        return new io.bgdeploy.localplatform.PodListener() {
            @Override
            public void podRunning(RunningPod pod) {
                listener.podRunning(podInfo(pod));
            }

            @Override
            public void podRestarted(RunningPod pod, String container, int restartCount, String reason) {
                listener.podRestarted(podInfo(pod), container, restartCount, reason);
            }

            @Override
            public void podGone(String podName, String reason) {
                listener.podGone(podName, reason);
            }
        };
    }
}
