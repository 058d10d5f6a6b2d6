package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.WorkloadSpec;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.SwitchFrontend;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * ROLLING_BACK: undoes what green changed; blue is never touched. Before a switch was attempted,
 * green's workload and backend go. After, the stable address and the frontend go back to blue (or
 * are removed for a first deployment), and green is deleted only once the load balancer confirms
 * that no request goes to it any more.
 */
final class Rollback {

    private static final Logger LOG = Logger.getLogger(Rollback.class);
    /** Pauses between attempts to have the load balancer confirm that green serves nothing. */
    private static final Duration RETRY_PAUSE_MIN = Duration.ofSeconds(1);
    private static final Duration RETRY_PAUSE_MAX = Duration.ofSeconds(30);

    private final Platform platform;
    private final LbCommands lb;
    private final StableAddress stable;
    private final Journal journal;
    private final BackendFollower backends;

    Rollback(Platform platform, LbCommands lb, StableAddress stable, Journal journal, BackendFollower backends) {
        this.backends = backends;
        this.platform = platform;
        this.lb = lb;
        this.stable = stable;
        this.journal = journal;
    }

    Deployment run(Run run, String reason) throws InterruptedException {
        journal.enterPhaseDespiteKafka(run, DeploymentPhase.ROLLING_BACK, reason);
        // green's backend is the rollback's to remove: no update of it may follow
        backends.stop(run.id());
        Deployment d = run.deployment;
        if (run.switchAttempted || run.switched) {
            // the stable address may select green already: back to blue, or gone with a first deployment
            if (run.blue != null) {
                stable.pointAt(run, blueSpec(run.blue));
            } else {
                stable.remove(run, d.version());
            }
        }
        if (run.switchAttempted && run.frontend != null) {
            awaitNoTrafficToGreen(run, run.frontend.host());
            platform.delete(d.namespace(), run.spec.name());
            journal.log(run, "green workload " + run.spec.name() + " deleted");
        } else if (run.greenCreated) {
            platform.delete(d.namespace(), run.spec.name());
            journal.log(run, "green workload " + run.spec.name() + " deleted");
            lb.bestEffort(run, new RemoveBackend(run.commandId("remove-backend"), d.id(), d.namespace(), d.appName(),
                    run.backendId()));
        }
        return journal.finish(run, DeploymentStatus.FAILURE, reason);
    }

    /**
     * Switches the frontend back to blue (or removes the frontend of a first deployment) and
     * removes green's backend, until the load balancer confirms the removal: it refuses to remove
     * a backend that a frontend routes to, and confirms once every agent serves without it, so
     * only then does green serve no request. Until then both versions keep running, the reason
     * goes to deploy-events once, and the commands are sent again (with new ids) after a growing
     * pause, for as long as it takes: until the load balancer answers again, or an operator routes
     * the frontend away from green.
     */
    private void awaitNoTrafficToGreen(Run run, HostName host) throws InterruptedException {
        Deployment d = run.deployment;
        String blueBackend = run.blueBackendOn(host);
        long pauseMillis = RETRY_PAUSE_MIN.toMillis();
        for (int attempt = 1; ; attempt++) {
            run.checkLock(DeploymentPhase.ROLLING_BACK);
            String suffix = attempt == 1 ? "" : "-" + attempt;
            LbCommand away = blueBackend != null
                    ? new SwitchFrontend(run.commandId("switch-back") + suffix, d.id(), d.namespace(), d.appName(),
                    run.blueFrontend, blueBackend, run.backendId())
                    : new RemoveFrontend(run.commandId("remove-frontend") + suffix, d.id(), d.namespace(), d.appName(),
                    host, run.backendId());
            LoadBalancer.Answer moved = lb.answer(away);
            String problem;
            if (moved.outcome() == LoadBalancer.Outcome.TIMED_OUT || moved.outcome() == LoadBalancer.Outcome.NOT_SENT) {
                problem = away.getClass().getSimpleName() + " " + outcome(moved) + ": " + moved.reason();
            } else {
                journal.log(run, away.getClass().getSimpleName() + " " + away.commandId() + " "
                        + (moved.applied() ? "applied" : "rejected: " + moved.reason()));
                LoadBalancer.Answer removed = lb.answer(new RemoveBackend(run.commandId("remove-backend") + suffix, d.id(),
                        d.namespace(), d.appName(), run.backendId()));
                if (removed.applied()) {
                    journal.log(run, "the load balancer confirmed that no frontend routes to " + run.backendId()
                            + (attempt == 1 ? "" : " (attempt " + attempt + ")"));
                    return;
                }
                problem = "RemoveBackend " + outcome(removed) + ": " + removed.reason();
            }
            String both = "both versions keep running: the load balancer has not confirmed that " + host
                    + " no longer routes to version " + d.version() + " (" + problem + "); trying again in "
                    + pauseMillis + " ms, until it confirms or an operator routes " + host + " elsewhere";
            if (attempt == 1) {
                LOG.warnf("deployment %s (%s version %s): %s", d.id(), d.appKey(), d.version(), both);
                journal.enterPhaseDespiteKafka(run, DeploymentPhase.ROLLING_BACK, both);
            } else {
                journal.log(run, "attempt " + attempt + ": " + both);
            }
            Thread.sleep(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, RETRY_PAUSE_MAX.toMillis());
        }
    }

    private static String outcome(LoadBalancer.Answer answer) {
        return answer.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** Blue's namespace, app name, version and ports, which is what its stable address needs. */
    private static WorkloadSpec blueSpec(Deployment blue) {
        return BlueGreenPlanner.workload(blue.id(), blue.descriptor(), blue.version(), blue.descriptor().podspec(), Map.of());
    }
}
