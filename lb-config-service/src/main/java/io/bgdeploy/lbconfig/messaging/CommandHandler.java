package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventData;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.lbconfig.config.LbConfig;
import io.bgdeploy.lbconfig.model.AgentConfirmation.Verdict;
import io.bgdeploy.lbconfig.model.OutcomeRetention;
import io.bgdeploy.lbconfig.store.AgentConfirmations;
import io.bgdeploy.lbconfig.store.AnswerRecorder;
import io.bgdeploy.lbconfig.store.Backoff;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lbconfig.store.UntilEtcdAnswers;
import io.bgdeploy.lb.etcd.StoredJson.CommandOutcome;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Applies one command and publishes its one answer: rejected with the reason, or applied with the
 * etcd revision once every live agent serves it. A command whose answer was already published
 * (a redelivery) changes nothing and is not answered again. That the answer was published is
 * recorded in etcd by {@link AnswerRecorder}, while the next command goes on.
 */
@ApplicationScoped
public class CommandHandler {

    private static final Logger LOG = Logger.getLogger(CommandHandler.class);

    private final EtcdLbStore store;
    private final AgentConfirmations confirmations;
    private final LbEventPublisher publisher;
    private final AnswerRecorder answers;
    private final MeterRegistry registry;
    private final LbConfig config;
    private final OutcomeRetention retention;

    public CommandHandler(EtcdLbStore store, AgentConfirmations confirmations, LbEventPublisher publisher,
                          AnswerRecorder answers, MeterRegistry registry, LbConfig config) {
        this.answers = answers;
        this.config = config;
        this.retention = new OutcomeRetention(config.commandOutcomeRetention());
        this.registry = registry;
        this.store = store;
        this.confirmations = confirmations;
        this.publisher = publisher;
    }

    /**
     * Returns once the command is answered; the returned stage completes once etcd records that it
     * was (its offset may be committed then).
     *
     * @param sentAtMillis when the command was sent (its record's timestamp), to time how long it
     *                     waited for this instance
     */
    public CompletableFuture<Void> handle(LbCommand command, long sentAtMillis) {
        long t0 = System.nanoTime();
        long queuedMillis = System.currentTimeMillis() - sentAtMillis;
        stepTimer("queue").record(Math.max(0, queuedMillis), TimeUnit.MILLISECONDS);
        String type = command.getClass().getSimpleName();
        // asked before etcd: an answer stops being known here only once etcd has its record
        if (answers.answered(command.commandId())) {
            LOG.infof("deployment %s: %s %s was already answered, redelivery ignored", command.deploymentId(), type,
                    command.commandId());
            return CompletableFuture.completedFuture(null);
        }
        Instant sentAt = Instant.ofEpochMilli(sentAtMillis);
        if (retention.tooOld(sentAt, Instant.now())) {
            return refuseTooOld(command, sentAt);
        }
        EtcdLbStore.ApplyResult result = untilEtcdAnswers(() -> store.apply(command), command);
        long etcdNanos = record("etcd", t0);
        CommandOutcome outcome = result.outcome();
        if (outcome.answered()) {
            LOG.infof("deployment %s: %s %s was already answered (%s), redelivery ignored", command.deploymentId(), type,
                    command.commandId(), outcome.outcome());
            return CompletableFuture.completedFuture(null);
        }
        long agentsNanos = 0;
        long answerNanos;
        if (outcome.outcome() == Outcome.REJECTED) {
            LOG.infof("deployment %s: %s %s rejected: %s", command.deploymentId(), type, command.commandId(), outcome.reason());
            answerNanos = publish(new LbCommandRejected(command.commandId(), command.deploymentId(), command.namespace(),
                    command.appName(), outcome.reason()), command);
        } else {
            long t1 = System.nanoTime();
            Verdict verdict = confirmations.await(outcome.revision());
            agentsNanos = record("agents", t1);
            if (verdict instanceof Verdict.Confirmed confirmed) {
                LOG.infof("deployment %s: %s %s applied at revision %d, live on %s", command.deploymentId(), type,
                        command.commandId(), outcome.revision(), confirmed.agents());
                answerNanos = publish(new LbCommandApplied(command.commandId(), command.deploymentId(), command.namespace(),
                        command.appName(), outcome.revision(), confirmed.agents()), command);
            } else {
                String reason = "stored in etcd at revision " + outcome.revision() + " but "
                        + ((Verdict.Refused) verdict).reason();
                LOG.warnf("deployment %s: %s %s %s", command.deploymentId(), type, command.commandId(), reason);
                answerNanos = publish(new LbCommandRejected(command.commandId(), command.deploymentId(), command.namespace(),
                        command.appName(), reason), command);
            }
        }
        long t2 = System.nanoTime();
        LOG.debugf("command %s: waited %d ms for this instance, etcd %.1f ms, agents %.1f ms, answer %.1f ms",
                command.commandId(), queuedMillis, etcdNanos / 1e6, agentsNanos / 1e6, answerNanos / 1e6);
        return answers.record(outcome).whenComplete((done, failure) -> record("mark-answered", t2));
    }

    /**
     * A command older than the outcomes' retention is never applied: whether it was applied before
     * may be forgotten. Its outcome, when still stored and answered, makes it a redelivery as any
     * other; otherwise it is rejected, nothing stored.
     */
    private CompletableFuture<Void> refuseTooOld(LbCommand command, Instant sentAt) {
        String type = command.getClass().getSimpleName();
        Optional<CommandOutcome> stored = untilEtcdAnswers(() -> store.outcome(command.commandId()), command);
        if (stored.filter(CommandOutcome::answered).isPresent()) {
            LOG.infof("deployment %s: %s %s was already answered (%s), redelivery ignored", command.deploymentId(), type,
                    command.commandId(), stored.get().outcome());
            return CompletableFuture.completedFuture(null);
        }
        String reason = "sent at " + sentAt + ", longer ago than command outcomes are kept (lbconfig.command-outcome-retention="
                + retention.keep() + "): not applied, since whether it was applied before may be forgotten; send it"
                + " again under a new command id";
        LOG.warnf("deployment %s: %s %s rejected: %s", command.deploymentId(), type, command.commandId(), reason);
        registry.counter("lbconfig.commands.too.old").increment();
        publish(new LbCommandRejected(command.commandId(), command.deploymentId(), command.namespace(), command.appName(),
                reason), command);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Sends an answer, retrying with backoff while Kafka does not take it. When it still is not sent
     * after {@code lbconfig.answer-timeout}, the command fails: the consumer nacks it, so it lands in
     * lb-commands-dlq with the reason, and the partition goes on. The outcome stays in etcd, marked
     * unanswered, so the command replayed from there is answered without being applied again.
     */
    private long publish(EventData answer, LbCommand command) {
        long start = System.nanoTime();
        long deadline = System.nanoTime() + config.answerTimeout().toNanos();
        Backoff backoff = new Backoff();
        while (true) {
            try {
                publisher.publish(answer, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                return record("answer", start);
            } catch (IllegalStateException e) {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff.nextMillis()) > deadline
                        || Thread.currentThread().isInterrupted()) {
                    throw new AnswerNotSentException("the answer to command " + command.commandId() + " ("
                            + answer.eventType().type() + ") was not taken by Kafka within "
                            + config.answerTimeout().toSeconds() + " s: " + e.getMessage()
                            + "; its outcome is stored in etcd: replay the command to have it answered", e);
                }
                LOG.warnf("deployment %s: answer to command %s waits for Kafka: %s", command.deploymentId(),
                        command.commandId(), e.getMessage());
                if (!backoff.pause()) {
                    throw e;
                }
            }
        }
    }

    /** Kafka did not take a command's answer in time: the command fails (and is dead-lettered with this reason). */
    public static final class AnswerNotSentException extends RuntimeException {
        AnswerNotSentException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Records how long a step took since {@code since} and returns it in nanoseconds. */
    private long record(String step, long since) {
        long nanos = System.nanoTime() - since;
        stepTimer(step).record(nanos, TimeUnit.NANOSECONDS);
        return nanos;
    }

    /** A step's timer, with a histogram from 0.1 ms to 60 s, so that a step's tail is seen and not only its mean. */
    private Timer stepTimer(String step) {
        return Timer.builder("lbconfig.command.step").tag("step", step).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    private <T> T untilEtcdAnswers(Supplier<T> action, LbCommand command) {
        return UntilEtcdAnswers.run(action, e -> LOG.warnf("deployment %s: command %s waits for etcd: %s",
                command.deploymentId(), command.commandId(), e.getMessage()));
    }
}
