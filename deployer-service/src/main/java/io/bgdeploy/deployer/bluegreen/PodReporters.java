package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;

/** Makes the listeners that report a deployment's pods, whose backend follows them once it serves. */
public final class PodReporters {

    private final BackendFollower backends;
    private final BlueGreenPlanner.HealthTiming timing;
    private final EventSink sink;
    private final HealthBoard board;

    public PodReporters(BackendFollower backends, BlueGreenPlanner.HealthTiming timing, EventSink sink, HealthBoard board) {
        this.backends = backends;
        this.timing = timing;
        this.sink = sink;
        this.board = board;
    }

    /** The listener that reports the pods of this run's workload, whose backend follows its pods once it serves. */
    public PodReporter of(Run run) {
        backends.follow(run.deployment, run.spec);
        return new PodReporter(run.id(), run.descriptor, run.deployment.version(), run.spec, timing, sink, board,
                backends);
    }

    /**
     * The listener for pods that were started again after the platform was stopped: the backend
     * still names the pods that are gone, so it follows the new ones as soon as they are ready.
     */
    public PodReporter ofRestartedPods(Run run) {
        backends.followOutdated(run.deployment, run.spec);
        return of(run);
    }
}
