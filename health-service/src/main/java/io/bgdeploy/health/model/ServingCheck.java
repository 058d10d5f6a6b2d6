package io.bgdeploy.health.model;

import io.bgdeploy.events.Keys;
import io.bgdeploy.events.pod.ServingAlert;
import io.bgdeploy.events.pod.ServingAlert.Condition;
import io.bgdeploy.events.pod.ServingAlert.State;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides when an app that should serve has too few serving pods, for the version that should
 * serve:
 * <ul>
 *   <li>{@link Condition#NO_SERVING_POD}: no pod serves and none is still starting (or no pod runs
 *   at all), for {@code noServingPodAfter};</li>
 *   <li>{@link Condition#TOO_FEW_SERVING_PODS}: some pods serve but fewer than the version has,
 *   for {@code tooFewServingPodsAfter}.</li>
 * </ul>
 * An alert is raised once and cleared once, when its condition ends or the version no longer has
 * to serve. Called for one app at a time, with the time of the check; no clock, no thread.
 */
public final class ServingCheck {

    private static final int PODS_NAMED = 5;

    private final Duration noServingPodAfter;
    private final Duration tooFewServingPodsAfter;
    private final Map<String, AppState> apps = new HashMap<>();

    private static final class AppState {
        String version;
        Instant noServingSince;
        Instant degradedSince;
        final Map<Condition, ServingAlert> raised = new EnumMap<>(Condition.class);
    }

    public ServingCheck(Duration noServingPodAfter, Duration tooFewServingPodsAfter) {
        if (noServingPodAfter.isNegative() || tooFewServingPodsAfter.isNegative()) {
            throw new IllegalArgumentException("the times before a serving alert must not be negative");
        }
        this.noServingPodAfter = noServingPodAfter;
        this.tooFewServingPodsAfter = tooFewServingPodsAfter;
    }

    /**
     * Checks one app.
     *
     * @param servingVersion the version that should serve now, if any
     * @param pods           the pods of that version
     * @return the alerts raised or cleared by this check, in order
     */
    public synchronized List<ServingAlert> check(String namespace, String appName, Optional<String> servingVersion,
                                                 List<PodStatus> pods, Instant now) {
        String key = Keys.app(namespace, appName);
        List<ServingAlert> out = new ArrayList<>();
        AppState app = apps.get(key);
        if (app != null && (servingVersion.isEmpty() || !servingVersion.get().equals(app.version))) {
            String why = servingVersion.map(v -> "version " + app.version + " no longer serves: version " + v + " does")
                    .orElse("version " + app.version + " no longer has to serve: the app was undeployed");
            app.raised.values().forEach(a -> out.add(cleared(a, a.servingPods(), a.expectedPods(), why)));
            apps.remove(key);
        }
        if (servingVersion.isEmpty()) {
            return out;
        }
        AppState state = apps.computeIfAbsent(key, k -> new AppState());
        state.version = servingVersion.get();

        int serving = (int) pods.stream().filter(PodStatus::serving).count();
        int undecided = (int) pods.stream().filter(p -> !p.decided()).count();
        int expected = pods.size();
        boolean noServing = serving == 0 && undecided == 0;
        boolean degraded = serving < expected || expected == 0;
        state.noServingSince = noServing ? orNow(state.noServingSince, now) : null;
        state.degradedSince = degraded ? orNow(state.degradedSince, now) : null;

        boolean tooFew = degraded && serving > 0;
        decide(state, Condition.NO_SERVING_POD, noServing, state.noServingSince, noServingPodAfter, namespace, appName,
                serving, expected, pods, now, out);
        decide(state, Condition.TOO_FEW_SERVING_PODS, tooFew, state.degradedSince, tooFewServingPodsAfter, namespace,
                appName, serving, expected, pods, now, out);
        return out;
    }

    private void decide(AppState state, Condition condition, boolean holds, Instant since, Duration after,
                        String namespace, String appName, int serving, int expected, List<PodStatus> pods, Instant now,
                        List<ServingAlert> out) {
        ServingAlert raised = state.raised.get(condition);
        if (raised != null && !holds) {
            state.raised.remove(condition);
            out.add(cleared(raised, serving, expected, serving + " of " + expected + " pods of version " + state.version
                    + " serve"));
        } else if (raised == null && holds && !now.isBefore(since.plus(after))) {
            ServingAlert alert = new ServingAlert(namespace, appName, state.version, condition, State.RAISED, serving,
                    expected, since, problem(state.version, serving, expected, pods));
            state.raised.put(condition, alert);
            out.add(alert);
        }
    }

    /**
     * Takes over alerts another instance raised for an app (it probed the app before this one), so
     * that this one clears them when their condition no longer holds.
     */
    public synchronized void adopt(List<ServingAlert> raisedElsewhere) {
        for (ServingAlert a : raisedElsewhere) {
            if (a.state() != State.RAISED) {
                continue;
            }
            AppState state = apps.computeIfAbsent(a.key(), k -> new AppState());
            if (state.version != null && !state.version.equals(a.version())) {
                continue;
            }
            state.version = a.version();
            state.raised.putIfAbsent(a.condition(), a);
            if (a.condition() == Condition.NO_SERVING_POD) {
                state.noServingSince = a.since();
            } else {
                state.degradedSince = a.since();
            }
        }
    }

    /** Whether this check has seen the app (it owns it, or has alerts of it). */
    public synchronized boolean knows(String appKey) {
        return apps.containsKey(appKey);
    }

    /** Apps checked so far, by key. */
    public synchronized Set<String> apps() {
        return Set.copyOf(apps.keySet());
    }

    /** Forgets, without clearing anything, the apps another instance answers for now. */
    public synchronized void forget(Predicate<String> appKeys) {
        apps.keySet().removeIf(appKeys);
    }

    /** The alerts raised now for the app. */
    public synchronized List<ServingAlert> active(String appKey) {
        AppState app = apps.get(appKey);
        return app == null ? List.of() : List.copyOf(app.raised.values());
    }

    private static ServingAlert cleared(ServingAlert raised, int serving, int expected, String reason) {
        return new ServingAlert(raised.namespace(), raised.appName(), raised.version(), raised.condition(),
                State.CLEARED, serving, expected, raised.since(), reason);
    }

    private static Instant orNow(Instant since, Instant now) {
        return since == null ? now : since;
    }

    private static String problem(String version, int serving, int expected, List<PodStatus> pods) {
        if (expected == 0) {
            return "no pod of version " + version + " runs";
        }
        StringBuilder s = new StringBuilder(serving + " of " + expected + " pods of version " + version + " serve");
        List<PodStatus> failing = pods.stream().filter(p -> !p.serving()).toList();
        for (int i = 0; i < failing.size() && i < PODS_NAMED; i++) {
            PodStatus p = failing.get(i);
            s.append(i == 0 ? ": " : ", ").append(p.name()).append(' ').append(p.problem() == null ? "not serving" : p.problem());
        }
        if (failing.size() > PODS_NAMED) {
            s.append(" and ").append(failing.size() - PODS_NAMED).append(" more");
        }
        return s.toString();
    }
}
