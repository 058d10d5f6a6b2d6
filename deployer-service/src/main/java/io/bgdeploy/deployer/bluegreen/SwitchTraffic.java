package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.PodInfo;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;

import java.util.ArrayList;
import java.util.List;

/**
 * SWITCHING: green's backend with green's pods, and the frontend moved from blue's backend to it,
 * in one command confirmed by the load balancer: a {@link SwitchFrontend} that carries the backend,
 * applied as one etcd transaction (both or neither) and as a compare-and-swap on blue's backend.
 * Every agent brings green's servers up, reads them back, and only then routes the host to them.
 * Without a frontend in the descriptor, only the backend is sent ({@link UpsertBackend}).
 */
final class SwitchTraffic extends Step {

    static final String NAME = "switch-to-green";

    private final Platform platform;
    private final LbCommands lb;
    private final BackendFollower backends;
    private final Journal journal;

    SwitchTraffic(Platform platform, LbCommands lb, BackendFollower backends, Journal journal) {
        super(NAME, DeploymentPhase.SWITCHING);
        this.platform = platform;
        this.lb = lb;
        this.backends = backends;
        this.journal = journal;
    }

    @Override
    void run(Run run) throws StepFailed, InterruptedException {
        BackendSpec backend = BlueGreenPlanner.backend(run.descriptor, run.deployment.version(), servers(run));
        FrontendSpec frontend = run.frontend;
        if (frontend == null) {
            lb.apply(run, new UpsertBackend(run.commandId("upsert-backend"), run.id(), run.deployment.namespace(),
                    run.deployment.appName(), backend));
            backends.sent(run.id(), backend.servers());
            journal.log(run, "backend " + backend.id() + " serves " + backend.servers().size()
                    + " server(s); no frontend in the descriptor: nothing to switch");
            run.switched = true;
            return;
        }
        String expected = run.blueBackendOn(frontend.host());
        // from here a rollback switches back: the command may be applied even if its answer is lost
        run.switchAttempted = true;
        lb.apply(run, new SwitchFrontend(run.commandId("switch-frontend"), run.id(), run.deployment.namespace(),
                run.deployment.appName(), frontend, backend.id(), expected, backend));
        run.switched = true;
        backends.sent(run.id(), backend.servers());
        journal.log(run, "frontend " + frontend.host() + " switched to " + backend.id() + " with "
                + backend.servers().size() + " server(s)" + (expected == null ? " (new frontend)" : " from " + expected));
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
