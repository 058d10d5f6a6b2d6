package io.bgdeploy.events;

import java.util.List;

/**
 * Kafka topic names shared by every service. A channel in the services' configuration carries
 * the same name as its topic.
 */
public final class Topics {

    /** CI and the deployer's REST API ask for a deployment; read by deployer-service. */
    public static final String DEPLOY_REQUESTS = "deploy-requests";
    /** Deployment lifecycle: accepted, rejected, phases, finished; written by deployer-service. */
    public static final String DEPLOY_EVENTS = "deploy-events";
    /** Pods of a deployment started, restarted or gone; written by deployer-service, read by health-service. */
    public static final String POD_EVENTS = "pod-events";
    /** Pod health transitions and restart alerts; written by health-service, read by deployer-service. */
    public static final String POD_HEALTH = "pod-health";
    /** Load-balancer commands; written by deployer-service, read by lb-config-service. */
    public static final String LB_COMMANDS = "lb-commands";
    /** Answers to load-balancer commands and agent failures; written by lb-config-service. */
    public static final String LB_EVENTS = "lb-events";
    /** Container log lines; written by the node collector and the local platform, read by log-shipper. */
    public static final String CONTAINER_LOGS = "container-logs";
    /**
     * Each health-service instance's picture of the apps it probes, read by every instance so that
     * every dashboard shows every app; short-lived (reports are replaced every few seconds).
     */
    public static final String HEALTH_REPORTS = "health-reports";

    /** Every topic of the suite, dead-letter topics excluded. */
    public static final List<String> ALL = List.of(
            DEPLOY_REQUESTS, DEPLOY_EVENTS, POD_EVENTS, POD_HEALTH, LB_COMMANDS, LB_EVENTS, CONTAINER_LOGS,
            HEALTH_REPORTS);

    /** Suffix of a dead-letter topic. */
    public static final String DLQ_SUFFIX = "-dlq";

    public static final String DEPLOY_REQUESTS_DLQ = DEPLOY_REQUESTS + DLQ_SUFFIX;
    public static final String POD_EVENTS_DLQ = POD_EVENTS + DLQ_SUFFIX;
    public static final String POD_HEALTH_DLQ = POD_HEALTH + DLQ_SUFFIX;
    public static final String LB_COMMANDS_DLQ = LB_COMMANDS + DLQ_SUFFIX;
    public static final String LB_EVENTS_DLQ = LB_EVENTS + DLQ_SUFFIX;
    public static final String CONTAINER_LOGS_DLQ = CONTAINER_LOGS + DLQ_SUFFIX;

    /** Header that carries the reason a record was sent to a dead-letter topic (SmallRye's name). */
    public static final String DLQ_REASON_HEADER = "dead-letter-reason";

    private Topics() {
    }

    /** The dead-letter topic of a consumed topic. */
    public static String dlq(String topic) {
        if (!ALL.contains(topic)) {
            throw new IllegalArgumentException("unknown topic '" + topic + "'");
        }
        return topic + DLQ_SUFFIX;
    }
}
