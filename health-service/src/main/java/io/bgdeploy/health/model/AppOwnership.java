package io.bgdeploy.health.model;

/**
 * Which apps this instance answers for: the apps whose pods it probes. Each app belongs to exactly
 * one instance at a time, so only that one raises and clears the app's alerts.
 */
@FunctionalInterface
public interface AppOwnership {

    /** @param appKey {@code <namespace>/<appName>} */
    boolean owns(String appKey);
}
