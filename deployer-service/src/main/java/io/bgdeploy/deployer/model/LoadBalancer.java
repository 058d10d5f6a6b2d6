package io.bgdeploy.deployer.model;

import io.bgdeploy.events.lb.LbCommand;

import java.time.Duration;

/** Sends a load-balancer command and waits for its answer. */
public interface LoadBalancer {

    Answer apply(LbCommand command, Duration timeout) throws InterruptedException;

    /** Applied by every live agent, rejected (with the reason), not sent (the broker did not take it), or no answer in time. */
    record Answer(Outcome outcome, String reason) {
        public boolean applied() {
            return outcome == Outcome.APPLIED;
        }
    }

    enum Outcome { APPLIED, REJECTED, NOT_SENT, TIMED_OUT }
}
