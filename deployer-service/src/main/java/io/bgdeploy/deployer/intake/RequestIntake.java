package io.bgdeploy.deployer.intake;

import io.bgdeploy.deployer.bluegreen.Run;
import io.bgdeploy.deployer.model.AcceptLocks;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.Ids;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.model.UndeployRequest;
import io.bgdeploy.deployer.scheduling.AppScheduler;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DescriptorValidator;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers every request to deploy, roll back or undeploy, from REST and Kafka alike: validates,
 * drops a request id seen before, chooses the version ({@code "#"}: the app's highest + 1, in the
 * order the store accepted its deployments), refuses conflicts, records the deployment and hands
 * the app to the {@link AppScheduler}. Every deploy answer goes to deploy-events, whoever asked.
 */
public final class RequestIntake {

    private static final Logger LOG = Logger.getLogger(RequestIntake.class);
    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(15);

    private final Platform platform;
    private final DeploymentStore store;
    private final EventSink sink;
    private final ResourcePolicy resources;
    private final LockMode lockMode;
    private final AcceptLocks accepting;
    private final AppScheduler scheduler;
    private final Clock clock;
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();

    /**
     * @param clock gives a deployment its id and creation time; the order in which an app's
     *              deployments run does not depend on it (the store keeps the order of acceptance)
     */
    public RequestIntake(Platform platform, DeploymentStore store, EventSink sink, ResourcePolicy resources,
                         LockMode lockMode, AcceptLocks accepting, AppScheduler scheduler, Clock clock) {
        this.platform = platform;
        this.store = store;
        this.sink = sink;
        this.resources = resources;
        this.lockMode = lockMode;
        this.accepting = accepting;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Every problem of a descriptor: its fields, the resource policy and the platform's own checks. */
    public List<String> validate(Descriptor d) {
        List<String> problems = new ArrayList<>();
        DescriptorValidator.validate(d).forEach(p -> problems.add(p.toString()));
        if (!problems.isEmpty()) {
            return problems;
        }
        ResourcePolicy.Result res = resources.apply(d.podspec());
        problems.addAll(res.problems());
        String version = Descriptor.NEXT_VERSION.equals(d.newVersion()) ? "1" : d.newVersion();
        problems.addAll(platform.check(BlueGreenPlanner.workload("validation", d, version, res.podspec(), Map.of())));
        return problems;
    }

    /** A deploy request answered under the descriptor's key {@code <namespace>/<app>} (REST). */
    public Answer submit(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        return submit(descriptor, requestedBy, requestId, descriptorId, descriptor.key());
    }

    /**
     * Validates, resolves the version and records the deployment; it starts at once, or after the
     * app's current deployment (on whichever instance runs that one). The answer goes to
     * deploy-events under {@code answerKey}.
     */
    public Answer submit(Descriptor descriptor, String requestedBy, String requestId, String descriptorId,
                         String answerKey) {
        Answer answer = answer(descriptor, requestedBy, requestId, descriptorId);
        String kind = answer instanceof Answer.Accepted a ? (a.repeated() ? "repeated" : "accepted")
                : ((Answer.Rejected) answer).kind().name().toLowerCase(Locale.ROOT);
        answers.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        if (answer instanceof Answer.Rejected r) {
            LOG.infof("deploy request %s for %s by %s rejected: %s %s", requestId, answerKey, requestedBy, r.reason(),
                    r.problems());
            return announce(new DeploymentRejected(requestId, answerKey, r.reason(), r.problems()))
                    .<Answer>map(why -> new Answer.Rejected(r.reason(), r.problems(), r.kind(), Optional.of(why)))
                    .orElse(r);
        }
        Answer.Accepted a = (Answer.Accepted) answer;
        if (a.repeated()) {
            Deployment d = a.deployment();
            LOG.infof("deploy request %s seen before: deployment %s", requestId, d.id());
            return announce(new DeploymentAccepted(d.id(), requestId, d.requestedBy(), d.namespace(), d.appName(),
                    d.version())).<Answer>map(why -> new Answer.Accepted(d, true, Optional.of(why))).orElse(a);
        }
        return a;
    }

    /** Publishes an answer; returns why it was not published. */
    private Optional<String> announce(EventData answer) {
        try {
            sink.publish(answer);
            return Optional.empty();
        } catch (EventSink.NotPublished e) {
            LOG.warnf("the answer %s for %s was not sent: %s", answer.getClass().getSimpleName(), answer.key(),
                    e.getMessage());
            return Optional.of(e.getMessage());
        }
    }

    private Answer answer(Descriptor descriptor, String requestedBy, String requestId, String descriptorId) {
        List<String> problems = validate(descriptor);
        if (!problems.isEmpty()) {
            return new Answer.Rejected("the descriptor has " + problems.size() + " problem(s)", problems,
                    Answer.Rejected.Kind.INVALID);
        }
        String appKey = descriptor.key();
        Optional<AcceptLocks.Accepting> acceptLock;
        try {
            acceptLock = accepting.take(descriptor.namespace(), descriptor.appName(), ACCEPT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Rejected("the deployer is stopping: try again", List.of(), Answer.Rejected.Kind.CONFLICT);
        }
        if (acceptLock.isEmpty()) {
            return new Answer.Rejected("another deployment of " + appKey + " has been being accepted for more than "
                    + ACCEPT_WAIT.toSeconds() + " s: try again", List.of(), Answer.Rejected.Kind.CONFLICT);
        }
        Deployment deployment;
        try (AcceptLocks.Accepting held = acceptLock.get()) {
            List<Deployment> history = held.history();
            if (requestId != null) {
                Optional<Deployment> seen = history.stream().filter(x -> requestId.equals(x.requestId())).findFirst();
                if (seen.isPresent()) {
                    return new Answer.Accepted(seen.get(), true, Optional.empty());
                }
            }
            Optional<Deployment> inProgress = history.stream().filter(BlueGreenPlanner::unfinished).findFirst();
            if (lockMode == LockMode.REFUSE && inProgress.isPresent()) {
                return new Answer.Rejected("deployment " + inProgress.get().id() + " of " + appKey + " is in progress"
                        + " (phase " + inProgress.get().phase() + "): try again when it has finished", List.of(),
                        Answer.Rejected.Kind.CONFLICT);
            }
            String version = Descriptor.NEXT_VERSION.equals(descriptor.newVersion())
                    ? BlueGreenPlanner.nextVersion(history) : descriptor.newVersion();
            Optional<Deployment> same = BlueGreenPlanner.activeWithVersion(history, version);
            if (same.isPresent()) {
                return new Answer.Rejected("version " + version + " of " + appKey + " is already deployed (deployment "
                        + same.get().id() + ", " + same.get().status() + "): deploy a new version, or \"#\" for the"
                        + " next number", List.of(), Answer.Rejected.Kind.CONFLICT);
            }
            String workload = BlueGreenPlanner.workloadName(descriptor.appName(), version);
            if (platform.exists(descriptor.namespace(), workload)) {
                return new Answer.Rejected("workload " + workload + " already exists in namespace "
                        + descriptor.namespace() + ": deploy a new version", List.of(), Answer.Rejected.Kind.CONFLICT);
            }
            Instant now = clock.instant();
            deployment = new Deployment(Ids.newId(now), now, now, descriptor.namespace(), descriptor.appName(), version,
                    DeploymentStatus.DEPLOYING, DeploymentPhase.PREPARING, requestedBy, requestId, descriptorId, null,
                    null, descriptor, null);
            held.record(deployment);
            inProgress.ifPresent(p -> store.appendLog(deployment.namespace(), deployment.id(), Instant.now()
                    + " queued behind deployment " + p.id() + " of the same app"));
        }
        store.appendLog(deployment.namespace(), deployment.id(), Instant.now() + " accepted by deployer instance "
                + accepting.owner() + ": version " + deployment.version() + " of " + appKey + " requested by " + requestedBy);
        // handed to the producer before the run can publish its first phase, so deploy-events keeps the order;
        // the run starts while the broker confirms it, and the answer waits for the confirmation
        EventSink.Pending acceptedEvent;
        try {
            acceptedEvent = sink.publishPending(new DeploymentAccepted(deployment.id(), requestId, requestedBy,
                    deployment.namespace(), deployment.appName(), deployment.version()));
        } catch (EventSink.NotPublished e) {
            acceptedEvent = () -> {
                throw e;
            };
        }
        scheduler.schedule(appKey);
        try {
            acceptedEvent.await();
        } catch (EventSink.NotPublished e) {
            // accepted and recorded all the same: its first phase event fails the deployment if Kafka is still away
            LOG.warnf("deployment %s accepted, but deploy-events does not say so: %s", deployment.id(), e.getMessage());
            store.appendLog(deployment.namespace(), deployment.id(), Instant.now() + " " + e.getMessage());
        }
        LOG.infof("deployment %s accepted: %s version %s requested by %s", deployment.id(), appKey, deployment.version(),
                requestedBy);
        return new Answer.Accepted(deployment, false, Optional.empty());
    }

    /**
     * Switches back to blue while it still runs (only during the drain delay). A deployment that
     * another instance runs is asked through the store; that instance switches back.
     *
     * @return why it cannot be rolled back, if it cannot
     */
    public Optional<String> rollback(String namespace, String id, String by) {
        Optional<Run> run = scheduler.running(id).filter(r -> r.deployment().namespace().equals(namespace));
        if (run.isPresent()) {
            if (run.get().requestRollback(by)) {
                return Optional.empty();
            }
        } else if (store.find(namespace, id).filter(d -> d.status() == DeploymentStatus.DEPLOYING
                && d.phase() == DeploymentPhase.DRAINING).isPresent()) {
            store.requestRollback(namespace, id, by);
            return Optional.empty();
        }
        return Optional.of("deployment " + id + " is not draining, so its previous version no longer runs (or never"
                + " did): redeploy an earlier deployment instead");
    }

    /**
     * Removes the frontend, backend and workload of a deployment; optionally forgets the deployment.
     *
     * @return why it cannot be undeployed now, if it cannot
     */
    public Optional<String> undeploy(Deployment d, boolean deleteRecord, String by) {
        if (BlueGreenPlanner.unfinished(d)) {
            return Optional.of("deployment " + d.id() + " is " + d.status() + ": wait until it has finished");
        }
        if (d.status() != DeploymentStatus.DEPLOYED) {
            if (deleteRecord) {
                store.delete(d.namespace(), d.id());
            }
            return Optional.empty();
        }
        store.saveUndeployRequest(d.namespace(), d.id(), new UndeployRequest(by, deleteRecord));
        store.save(d.withStatus(DeploymentStatus.UNDEPLOYING, null));
        scheduler.schedule(d.appKey());
        return Optional.empty();
    }

    /** Whether this instance runs the deployment now. */
    public boolean isRunningHere(String id) {
        return scheduler.isRunning(id);
    }

    /** How many requests got this answer: accepted, repeated (a request id seen before), invalid or conflict. */
    public long answers(String kind) {
        AtomicLong n = answers.get(kind);
        return n == null ? 0 : n.get();
    }

    /** The kinds of answer that {@link #answers(String)} counts. */
    public static List<String> answerKinds() {
        return List.of("accepted", "repeated", "invalid", "conflict");
    }
}
