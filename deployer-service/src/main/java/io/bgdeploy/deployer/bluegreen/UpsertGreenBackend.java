package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.UpsertBackend;

import java.util.ArrayList;
import java.util.List;

/** SWITCHING, first: green's backend with green's pods, confirmed by the load balancer. */
final class UpsertGreenBackend extends Step {

    static final String NAME = "upsert-green-backend";

    private final Platform platform;
    private final LbCommands lb;
    private final BackendFollower backends;
    private final Journal journal;

    UpsertGreenBackend(Platform platform, LbCommands lb, BackendFollower backends, Journal journal) {
        super(NAME, DeploymentPhase.SWITCHING);
        this.platform = platform;
        this.lb = lb;
        this.backends = backends;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws StepFailed, InterruptedException {
        var backend = BlueGreenPlanner.backend(run.descriptor, run.deployment.version(), servers(run));
        lb.apply(run, new UpsertBackend(run.commandId("upsert-backend"), run.id(), run.deployment.namespace(),
                run.deployment.appName(), backend));
        backends.sent(run.id(), backend.servers());
        journal.log(run, "backend " + backend.id() + " serves " + backend.servers().size() + " server(s)");
    }

    private List<ServerSpec> servers(Run run) {
        int port = run.spec.servingPort();
        List<ServerSpec> servers = new ArrayList<>();
        for (PodInfo pod : platform.pods(run.deployment.namespace(), run.spec.name())) {
            servers.add(new ServerSpec(pod.name(), pod.address(), pod.reachablePort(port)));
        }
        return servers;
    }
}
