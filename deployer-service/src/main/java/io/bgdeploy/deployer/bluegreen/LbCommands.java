package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.events.lb.LbCommand;

import java.time.Duration;
import java.util.List;

/** Sends a deployment's load-balancer commands and turns their answers into its log or a step failure. */
final class LbCommands {

    private final LoadBalancer lb;
    private final Duration timeout;
    private final Journal journal;

    LbCommands(LoadBalancer lb, Duration timeout, Journal journal) {
        this.lb = lb;
        this.timeout = timeout;
        this.journal = journal;
    }

    /** Applies the command; anything but a confirmation fails the step. */
    void apply(Run run, LbCommand command) throws StepFailed, InterruptedException {
        LoadBalancer.Answer answer = lb.apply(command, timeout);
        String what = command.getClass().getSimpleName();
        switch (answer.outcome()) {
            case APPLIED -> journal.log(run, what + " " + command.commandId() + " applied");
            case REJECTED -> throw new StepFailed("load balancer rejected " + what + ": " + answer.reason());
            case NOT_SENT -> throw new StepFailed(what + " not sent: " + answer.reason());
            case TIMED_OUT -> throw new StepFailed("load balancer did not confirm " + what + " within "
                    + timeout.toSeconds() + " s");
        }
    }

    /** Applies the command; a failure is logged and returned, not thrown. */
    List<String> bestEffort(Run run, LbCommand command) throws InterruptedException {
        try {
            apply(run, command);
            return List.of();
        } catch (StepFailed e) {
            journal.log(run, e.getMessage());
            return List.of(e.getMessage());
        }
    }

    /** Applies the command and returns the answer as it is (for commands tried again until confirmed). */
    LoadBalancer.Answer answer(LbCommand command) throws InterruptedException {
        return lb.apply(command, timeout);
    }
}
