package io.bgdeploy.events;

import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.events.lb.LbCommandApplied;
import io.bgdeploy.events.lb.LbCommandRejected;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.events.health.AppHealthReport;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.events.pod.PodGone;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodRestarted;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.events.pod.RestartAlertRaised;
import io.bgdeploy.events.pod.ServingAlert;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every event type of the suite: its CloudEvents {@code type}, its topic and its payload record. */
public enum EventType {
    DEPLOY_REQUESTED("io.bgdeploy.deploy.requested", Topics.DEPLOY_REQUESTS, DeployRequested.class),

    DEPLOYMENT_ACCEPTED("io.bgdeploy.deployment.accepted", Topics.DEPLOY_EVENTS, DeploymentAccepted.class),
    DEPLOYMENT_REJECTED("io.bgdeploy.deployment.rejected", Topics.DEPLOY_EVENTS, DeploymentRejected.class),
    DEPLOYMENT_PHASE_CHANGED("io.bgdeploy.deployment.phase-changed", Topics.DEPLOY_EVENTS, DeploymentPhaseChanged.class),
    DEPLOYMENT_FINISHED("io.bgdeploy.deployment.finished", Topics.DEPLOY_EVENTS, DeploymentFinished.class),

    POD_STARTED("io.bgdeploy.pod.started", Topics.POD_EVENTS, PodStarted.class),
    POD_RESTARTED("io.bgdeploy.pod.restarted", Topics.POD_EVENTS, PodRestarted.class),
    POD_GONE("io.bgdeploy.pod.gone", Topics.POD_EVENTS, PodGone.class),

    POD_HEALTH_CHANGED("io.bgdeploy.pod.health-changed", Topics.POD_HEALTH, PodHealthChanged.class),
    RESTART_ALERT_RAISED("io.bgdeploy.pod.restart-alert", Topics.POD_HEALTH, RestartAlertRaised.class),
    SERVING_ALERT("io.bgdeploy.app.serving-alert", Topics.POD_HEALTH, ServingAlert.class),

    APP_HEALTH_REPORT("io.bgdeploy.health.app-report", Topics.HEALTH_REPORTS, AppHealthReport.class),

    UPSERT_BACKEND("io.bgdeploy.lb.upsert-backend", Topics.LB_COMMANDS, UpsertBackend.class),
    SWITCH_FRONTEND("io.bgdeploy.lb.switch-frontend", Topics.LB_COMMANDS, SwitchFrontend.class),
    REMOVE_BACKEND("io.bgdeploy.lb.remove-backend", Topics.LB_COMMANDS, RemoveBackend.class),
    REMOVE_FRONTEND("io.bgdeploy.lb.remove-frontend", Topics.LB_COMMANDS, RemoveFrontend.class),

    LB_COMMAND_APPLIED("io.bgdeploy.lb.command-applied", Topics.LB_EVENTS, LbCommandApplied.class),
    LB_COMMAND_REJECTED("io.bgdeploy.lb.command-rejected", Topics.LB_EVENTS, LbCommandRejected.class),
    LB_AGENT_FAILED("io.bgdeploy.lb.agent-failed", Topics.LB_EVENTS, LbAgentFailed.class),

    CONTAINER_LOG("io.bgdeploy.logs.container-log", Topics.CONTAINER_LOGS, ContainerLogRecord.class);

    private static final Map<String, EventType> BY_TYPE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::type, Function.identity()));
    private static final Map<Class<?>, EventType> BY_CLASS =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::dataClass, Function.identity()));

    private final String type;
    private final String topic;
    private final Class<? extends EventData> dataClass;

    EventType(String type, String topic, Class<? extends EventData> dataClass) {
        this.type = type;
        this.topic = topic;
        this.dataClass = dataClass;
    }

    /** The CloudEvents {@code type} attribute. */
    public String type() {
        return type;
    }

    /** The topic this event is published on. */
    public String topic() {
        return topic;
    }

    public Class<? extends EventData> dataClass() {
        return dataClass;
    }

    public static Optional<EventType> ofType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    public static EventType of(Class<?> dataClass) {
        EventType t = BY_CLASS.get(dataClass);
        if (t == null) {
            throw new IllegalArgumentException(dataClass.getName() + " is not a registered event type");
        }
        return t;
    }
}
