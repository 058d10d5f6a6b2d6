package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.LoadBalancer;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.RemoveFrontend;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A load balancer with lb-config-service's rules: backends and frontends in memory, a switch is a
 * compare-and-swap on the backend the frontend routes to (a switch to where it routes already is
 * confirmed; the backend a switch carries is stored with it, or not at all), a backend in use cannot be removed, a command id is answered once.
 */
public final class FakeLoadBalancer implements LoadBalancer {

    public final List<LbCommand> commands = new CopyOnWriteArrayList<>();
    public final Map<String, UpsertBackend> backends = new ConcurrentHashMap<>();
    /** The backend each frontend routes to, by its host name. */
    public final Map<HostName, String> frontends = new ConcurrentHashMap<>();
    public volatile Predicate<LbCommand> reject = c -> false;
    private final Map<String, Answer> outcomes = new ConcurrentHashMap<>();
    private final List<LbCommand> whilePaused = new java.util.ArrayList<>();
    private boolean paused;

    /** Stops answering, as a load balancer that is stopped: commands wait, their senders time out. */
    public synchronized void pause() {
        paused = true;
    }

    /** Answers again: applies the commands that waited, in the order they were sent. */
    public synchronized void resume() {
        paused = false;
        whilePaused.forEach(c -> outcomes.computeIfAbsent(c.commandId(), id -> decide(c)));
        whilePaused.clear();
    }

    /**
     * A command id answered before is not answered again, as lb-config-service ignores a
     * redelivered command it has answered: its sender times out.
     */
    /** Runs before a command is taken, outside the load balancer's lock: a test may hold one command there. */
    public volatile java.util.function.Consumer<LbCommand> onArrival = c -> { };

    @Override
    public Answer apply(LbCommand command, Duration timeout) {
        onArrival.accept(command);
        return take(command, timeout);
    }

    private synchronized Answer take(LbCommand command, Duration timeout) {
        commands.add(command);
        if (paused || outcomes.containsKey(command.commandId())) {
            if (paused) {
                whilePaused.add(command);
            }
            return new Answer(Outcome.TIMED_OUT, "no answer within " + timeout.toSeconds() + " s");
        }
        Answer answer = decide(command);
        outcomes.put(command.commandId(), answer);
        return answer;
    }

    private Answer decide(LbCommand command) {
        if (reject.test(command)) {
            return new Answer(Outcome.REJECTED, "rejected by the test");
        }
        if (command instanceof UpsertBackend u) {
            backends.put(u.backend().id(), u);
        } else if (command instanceof SwitchFrontend s) {
            String current = frontends.get(s.frontend().host());
            if (!java.util.Objects.equals(current, s.expectedBackendId()) && !s.backendId().equals(current)) {
                return new Answer(Outcome.REJECTED, "frontend routes to " + current + ", not " + s.expectedBackendId());
            }
            if (s.backend() != null) {
                // the backend the switch carries, stored as its upsert would have stored it
                backends.put(s.backendId(), new UpsertBackend(s.commandId(), s.deploymentId(), s.namespace(), s.appName(),
                        s.backend()));
            }
            frontends.put(s.frontend().host(), s.backendId());
        } else if (command instanceof RemoveFrontend r) {
            String current = frontends.get(r.host());
            if (r.expectedBackendId() != null && current != null && !r.expectedBackendId().equals(current)) {
                return new Answer(Outcome.REJECTED, "frontend routes to " + current);
            }
            frontends.remove(r.host());
        } else if (command instanceof RemoveBackend r) {
            if (frontends.containsValue(r.backendId())) {
                return new Answer(Outcome.REJECTED, "backend " + r.backendId() + " is in use");
            }
            backends.remove(r.backendId());
        }
        return new Answer(Outcome.APPLIED, null);
    }
}
