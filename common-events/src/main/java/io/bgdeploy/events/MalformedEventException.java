package io.bgdeploy.events;

/** A record that cannot be read as an event of the suite; the message says why, for the DLQ. */
public class MalformedEventException extends Exception {

    public MalformedEventException(String reason) {
        super(reason);
    }

    public MalformedEventException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
