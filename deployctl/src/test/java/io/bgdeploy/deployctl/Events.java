package io.bgdeploy.deployctl;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.EventEnvelope;

import java.time.Instant;

/** Record values as the deployer writes them, for tests. */
final class Events {

    private Events() {
    }

    static String value(EventData data, Instant at) {
        return EventCodec.encodeToString(EventEnvelope.of("/deployer-service", data, at));
    }
}
