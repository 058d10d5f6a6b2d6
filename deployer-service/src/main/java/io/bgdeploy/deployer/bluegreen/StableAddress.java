package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import org.jboss.logging.Logger;

/**
 * The app's stable address (kubernetes: the Service {@code <app>}), moved to the version that
 * serves. A failure is logged and changes nothing else: the load balancer routes by itself.
 */
final class StableAddress {

    private static final Logger LOG = Logger.getLogger(StableAddress.class);

    private final Platform platform;
    private final Journal journal;

    StableAddress(Platform platform, Journal journal) {
        this.platform = platform;
        this.journal = journal;
    }

    void pointAt(Run run, WorkloadSpec serving) {
        try {
            if (platform.routeStable(serving)) {
                journal.log(run, "stable service " + serving.appName() + " selects version " + serving.version());
            }
        } catch (RuntimeException e) {
            LOG.warnf("deployment %s: stable service of %s not moved to version %s: %s", run.id(),
                    run.deployment.appKey(), serving.version(), e.getMessage());
            journal.log(run, "stable service " + serving.appName() + " could not select version " + serving.version()
                    + ": " + e.getMessage());
        }
    }

    void remove(Run run, String version) {
        Deployment d = run.deployment;
        try {
            if (platform.removeStable(d.namespace(), d.appName(), version)) {
                journal.log(run, "stable service " + d.appName() + " (it selected version " + version + ") removed");
            }
        } catch (RuntimeException e) {
            LOG.warnf("deployment %s: stable service of %s not removed: %s", run.id(), d.appKey(), e.getMessage());
            journal.log(run, "stable service " + d.appName() + " could not be removed: " + e.getMessage());
        }
    }
}
