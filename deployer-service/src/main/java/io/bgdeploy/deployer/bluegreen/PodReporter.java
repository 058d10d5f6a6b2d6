package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.deployer.model.PodListener;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.PodRestarted;
import io.bgdeploy.events.pod.PodStarted;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns what the platform reports about one deployment's pods into pod-events (so health-service
 * probes them) and into the {@link HealthBoard} (so the deployment knows how many run), and has
 * the load balancer follow pods that come and go ({@link BackendFollower}). Lives as long as the
 * pods do, not only while the deployment is in progress.
 */
public final class PodReporter implements PodListener {

    private static final Logger LOG = Logger.getLogger(PodReporter.class);

    private final String deploymentId;
    private final Descriptor descriptor;
    private final String version;
    private final WorkloadSpec spec;
    private final BlueGreenPlanner.HealthTiming timing;
    private final EventSink sink;
    private final HealthBoard board;
    private final BackendFollower backend;

    public PodReporter(String deploymentId, Descriptor descriptor, String version, WorkloadSpec spec,
                       BlueGreenPlanner.HealthTiming timing, EventSink sink, HealthBoard board, BackendFollower backend) {
        this.deploymentId = deploymentId;
        this.descriptor = descriptor;
        this.version = version;
        this.spec = spec;
        this.timing = timing;
        this.sink = sink;
        this.board = board;
        this.backend = backend;
    }

    private PodRef ref(String podName) {
        return new PodRef(deploymentId, descriptor.namespace(), descriptor.appName(), version, podName);
    }

    @Override
    public void podRunning(PodInfo pod) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (WorkloadSpec.PortSpec p : spec.ports()) {
            String name = p.name().isEmpty() || ports.containsKey(p.name()) ? "port-" + p.containerPort() : p.name();
            ports.put(name, pod.reachablePort(p.containerPort()));
        }
        Integer hcPort = spec.healthCheckPort();
        var healthCheck = hcPort == null ? null
                : BlueGreenPlanner.healthCheck(descriptor, pod.reachablePort(hcPort), timing);
        LOG.infof("deployment %s: pod %s runs at %s %s", deploymentId, pod.name(), pod.address(), ports);
        board.onRunning(deploymentId, pod.name(), true);
        sink.publishInBackground(new PodStarted(ref(pod.name()), pod.node(), pod.address(), ports, healthCheck));
        backend.podsChanged(deploymentId);
    }

    @Override
    public void podRestarted(PodInfo pod, String container, int restartCount, String reason) {
        LOG.warnf("deployment %s: pod %s container %s restarted (%d restarts): %s",
                deploymentId, pod.name(), container, restartCount, reason);
        sink.publishInBackground(new PodRestarted(ref(pod.name()), container, restartCount, reason));
    }

    @Override
    public void podGone(String podName, String reason) {
        board.onRunning(deploymentId, podName, false);
        sink.publishInBackground(new PodGone(ref(podName), reason));
        backend.podsChanged(deploymentId);
    }
}
