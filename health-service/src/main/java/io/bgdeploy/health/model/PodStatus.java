package io.bgdeploy.health.model;

/**
 * A pod as the serving check sees it.
 *
 * @param serving whether it serves (passes its health check, or runs without one)
 * @param decided whether its health is known yet (a pod still starting is not)
 * @param problem why it does not serve, for the alert's reason (absent when it serves)
 */
public record PodStatus(String name, boolean serving, boolean decided, String problem) {
}
