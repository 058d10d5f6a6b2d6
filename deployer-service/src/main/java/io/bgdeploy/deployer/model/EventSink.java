package io.bgdeploy.deployer.model;

import io.bgdeploy.events.EventData;

/** Publishes events on their topics (deploy-events, pod-events, lb-commands, container-logs). */
public interface EventSink {

    /**
     * Publishes the event and returns once the broker has it (every in-sync replica); the
     * producer retries meanwhile.
     *
     * @throws NotPublished when the broker did not take it in time
     */
    void publish(EventData event);

    /**
     * Hands the event to the producer and returns at once, for a caller that goes on while the
     * broker confirms it and asks for the confirmation later ({@link Pending#await}). Events handed
     * over one after another keep their order on their topic (one producer, idempotent).
     */
    default Pending publishPending(EventData event) {
        publish(event);
        return () -> {
        };
    }

    /** An event handed to the producer. */
    @FunctionalInterface
    interface Pending {
        /**
         * Returns once the broker has the event.
         *
         * @throws NotPublished when the broker did not take it in time
         */
        void await();
    }

    /**
     * Publishes without waiting: for what a platform reports from its own threads (pod events,
     * container logs). The producer retries; what still fails is counted and logged.
     */
    default void publishInBackground(EventData event) {
        publish(event);
    }

    /** The broker did not take an event, after the producer's retries. */
    final class NotPublished extends RuntimeException {
        public NotPublished(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
