package io.bgdeploy.events.pod;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.Names;

import java.time.Instant;

/**
 * The version of an app that should serve (the one its last deployment made serve) has too few
 * serving pods. {@link State#RAISED} once the condition has held for its grace time,
 * {@link State#CLEARED} when it ends or the version no longer has to serve.
 *
 * @param servingPods  pods of the version that pass their health check (or have none)
 * @param expectedPods pods of the version that run or should run
 * @param since        when the condition began
 * @param reason       what a person sees: which pods fail and why
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingAlert(String namespace, String appName, String version, Condition condition, State state,
                           int servingPods, int expectedPods, Instant since, String reason) implements EventData {

    public enum Condition {
        /** Not one pod of the version serves: the app answers nothing. */
        NO_SERVING_POD,
        /** Some pods serve, fewer than the version has, for longer than allowed. */
        TOO_FEW_SERVING_PODS
    }

    public enum State {
        RAISED,
        CLEARED
    }

    public ServingAlert {
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        Names.requireVersion(version);
        Names.requirePresent(condition, "condition");
        Names.requirePresent(state, "state");
        Names.requirePresent(since, "since");
        Names.requireText(reason, "reason");
        if (servingPods < 0 || expectedPods < 0) {
            throw new IllegalArgumentException("servingPods and expectedPods must not be negative");
        }
    }

    @Override
    public String key() {
        return Keys.app(namespace, appName);
    }
}
