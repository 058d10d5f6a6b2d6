package io.bgdeploy.logshipper.source;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.logs.ContainerLogRecord;

/** Reads a {@code container-logs} record value; anything that is not a valid ContainerLogRecord event is malformed. */
public final class ContainerLogDecoder {

    private ContainerLogDecoder() {
    }

    public static ContainerLogRecord decode(String value) throws MalformedEventException {
        return EventCodec.decode(value, ContainerLogRecord.class).data();
    }
}
