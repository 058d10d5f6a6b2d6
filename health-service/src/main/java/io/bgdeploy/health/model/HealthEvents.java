package io.bgdeploy.health.model;

import io.bgdeploy.events.EventData;

/**
 * Where health transitions and alerts go ({@code pod-health}, keyed by the event's app). A sent
 * event is delivered in order per app, or retried until it is: the caller never waits and never
 * handles a failure.
 */
@FunctionalInterface
public interface HealthEvents {

    void publish(EventData event);
}
