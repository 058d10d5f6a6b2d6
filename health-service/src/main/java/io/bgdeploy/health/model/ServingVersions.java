package io.bgdeploy.health.model;

import io.bgdeploy.events.EventData;
import io.bgdeploy.events.Keys;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which version of each app should serve, as the deployer's {@code deploy-events} say, read from
 * the start of the topic: a version serves from the moment the load balancer switched to it
 * ({@code DRAINING}) or its deployment ended {@code DEPLOYED}; it stops when it is rolled back
 * after the switch (the version before serves again), or when it is undeployed. Thread-safe.
 */
public final class ServingVersions {

    private static final class App {
        String serving;
        String before;
    }

    private final Map<String, App> apps = new HashMap<>();
    private final AtomicLong revision = new AtomicLong();
    private volatile boolean caughtUp;

    /** Takes one deploy event into account; events other than phase changes and outcomes change nothing. */
    public synchronized void apply(EventData event) {
        if (event instanceof DeploymentPhaseChanged p) {
            App app = apps.computeIfAbsent(Keys.app(p.namespace(), p.appName()), k -> new App());
            switch (p.phase()) {
                case DRAINING, REMOVING_BLUE -> serve(app, p.version());
                case ROLLING_BACK -> {
                    if (p.version().equals(app.serving)) {
                        app.serving = app.before;
                        app.before = null;
                        changed();
                    }
                }
                case UNDEPLOYING -> stop(app, p.version());
                default -> {
                }
            }
        } else if (event instanceof DeploymentFinished f) {
            App app = apps.computeIfAbsent(Keys.app(f.namespace(), f.appName()), k -> new App());
            if (f.status() == DeploymentStatus.DEPLOYED) {
                serve(app, f.version());
            } else if (f.status() == DeploymentStatus.UNDEPLOYED) {
                stop(app, f.version());
            }
        }
    }

    /** The version of the app ({@code <namespace>/<appName>}) that should serve now, if any. */
    public synchronized Optional<String> serving(String appKey) {
        App app = apps.get(appKey);
        return Optional.ofNullable(app == null ? null : app.serving);
    }

    /** Every app with a version that should serve, by app key. */
    public synchronized Map<String, String> all() {
        Map<String, String> out = new HashMap<>();
        apps.forEach((key, app) -> {
            if (app.serving != null) {
                out.put(key, app.serving);
            }
        });
        return out;
    }

    /** The topic was read up to where it stood at startup: an app without a serving version has none. */
    public void markCaughtUp() {
        caughtUp = true;
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /** Grows with every change, so that a dashboard knows when to show them again. */
    public long revision() {
        return revision.get();
    }

    private void serve(App app, String version) {
        if (!version.equals(app.serving)) {
            app.before = app.serving;
            app.serving = version;
            changed();
        }
    }

    private void stop(App app, String version) {
        if (version.equals(app.serving)) {
            app.serving = null;
            app.before = null;
            changed();
        }
    }

    private void changed() {
        revision.incrementAndGet();
    }
}
