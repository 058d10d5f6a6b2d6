package io.bgdeploy.deployer.intake;

import io.bgdeploy.deployer.model.Deployment;

import java.util.List;
import java.util.Optional;

/**
 * The answer to a deploy request, the same whether it came by REST or on Kafka; deploy-events has
 * it too.
 */
public sealed interface Answer permits Answer.Accepted, Answer.Rejected {

    /**
     * Why deploy-events did not get this answer (the broker did not take it), when the requester
     * learns it nowhere else. Empty for a new deployment: its own phase events answer later.
     */
    Optional<String> unanswered();

    /** @param repeated the request id was seen before: this is the deployment it made then */
    record Accepted(Deployment deployment, boolean repeated, Optional<String> unanswered) implements Answer {
    }

    record Rejected(String reason, List<String> problems, Kind kind, Optional<String> unanswered) implements Answer {

        /** Why: the descriptor is wrong, or it conflicts with what runs. */
        public enum Kind { INVALID, CONFLICT }

        Rejected(String reason, List<String> problems, Kind kind) {
            this(reason, problems, kind, Optional.empty());
        }
    }
}
