package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.EventSink;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.events.EventData;
import io.bgdeploy.events.pod.PodHealthChanged;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodStarted;
import io.bgdeploy.events.pod.ProbeResult;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Records every published event and plays health-service: a pod with a health check becomes READY,
 * or UNHEALTHY when {@link #unhealthy} says so.
 */
public final class RecordingSink implements EventSink {

    public final List<EventData> events = new CopyOnWriteArrayList<>();
    public volatile Predicate<PodStarted> unhealthy = p -> false;
    /**
     * Pods health-service probes already: it publishes only transitions, so a pod reported again
     * (by a deployer that restarted) gets no new health event.
     */
    public volatile Predicate<PodStarted> probedAlready = p -> false;
    /**
     * The broker's confirmation of an event, as {@link #publishPending} hands it back and as
     * {@link #publish} awaits it (as the real publisher does): by default confirmed at once.
     */
    public volatile Function<EventData, Pending> confirmation = e -> () -> {
    };
    private final HealthBoard board;

    public RecordingSink(HealthBoard board) {
        this.board = board;
    }

    @Override
    public void publish(EventData event) {
        publishPending(event).await();
    }

    @Override
    public Pending publishPending(EventData event) {
        record(event);
        return confirmation.apply(event);
    }

    private void record(EventData event) {
        events.add(event);
        if (event instanceof PodStarted started && started.healthCheck() != null && !probedAlready.test(started)) {
            boolean bad = unhealthy.test(started);
            board.onHealth(new PodHealthChanged(started.pod(), bad ? PodHealthState.UNHEALTHY : PodHealthState.READY,
                    new ProbeResult(Instant.now(), !bad, bad ? 503 : 200, 3, null, bad ? "HTTP 503" : null)));
        }
    }

    public <T extends EventData> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
