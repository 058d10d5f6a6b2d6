package io.bgdeploy.deployer.bluegreen;

import io.bgdeploy.events.EventData;

/** Publishes an event on its topic (deploy-events, pod-events, container-logs). */
public interface EventSink {
    void publish(EventData event);
}
