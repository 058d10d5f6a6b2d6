package io.bgdeploy.health.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every setting of health-service, under the prefix {@code health}. */
@ConfigMapping(prefix = "health")
public interface HealthConfig {

    Probes probes();

    @WithName("restart-alert")
    RestartAlert restartAlert();

    @WithName("serving-alert")
    ServingAlert servingAlert();

    Cluster cluster();

    Dashboard dashboard();

    /** Data stores outside the cluster, by name: {@code health.datastores."orders-db".type=tcp}. */
    Map<String, DataStore> datastores();

    interface Probes {
        /** Pooled keep-alive connections per pod address. */
        @WithDefault("1")
        int connectionsPerPod();
    }

    interface RestartAlert {
        /** Restarts a pod may have within the window; one more raises an alert. */
        @WithDefault("3")
        int maxRestarts();

        @WithDefault("PT1H")
        Duration window();
    }

    interface ServingAlert {
        /**
         * How long the version that should serve may have no serving pod (none passing its check,
         * none still starting) before the alert is raised.
         */
        @WithDefault("PT3S")
        Duration noServingPodAfter();

        /** How long it may have fewer serving pods than it has pods before the alert is raised. */
        @WithDefault("PT1M")
        Duration tooFewServingPodsAfter();

        /** How often every app this instance probes is checked. */
        @WithDefault("PT1S")
        Duration checkInterval();
    }

    interface Cluster {
        /** Watch nodes and pods of a Kubernetes cluster with informers (off on the local platform). */
        @WithDefault("false")
        boolean enabled();

        /** Namespace whose pods are watched; all namespaces when absent. */
        Optional<String> namespace();

        /** Pod label that names the app. */
        @WithDefault("app")
        String appLabel();

        /** Pod label that names the version. */
        @WithDefault("version")
        String versionLabel();

        /** Pod label that carries the deployment id: the one the deployer writes. */
        @WithDefault("bgdeploy.io/deployment-id")
        String deploymentIdLabel();
    }

    interface Dashboard {
        /** How many recent restart alerts the dashboard shows (and keeps per app). */
        @WithDefault("50")
        int recentAlerts();

        /** Least time between two live updates pushed to open pages. */
        @WithDefault("PT0.5S")
        Duration pushInterval();

        /** How far back a pod's probe latencies and restarts are shown. */
        @WithDefault("PT5M")
        Duration latencyWindow();

        /** One point of a pod's latency sparkline: the slowest probe within it. */
        @WithDefault("PT10S")
        Duration latencyBucket();

        /** How far back an app's restarts are charted. */
        @WithDefault("PT30M")
        Duration restartWindow();

        /** One bar of an app's restarts chart. */
        @WithDefault("PT1M")
        Duration restartBucket();

        /** How often the apps this instance probes are reported to the others when something changed. */
        @WithDefault("PT1S")
        Duration reportInterval();

        /** How often an app is reported even when nothing but latencies changed. */
        @WithDefault("PT10S")
        Duration reportRefresh();
    }

    /** This instance's name on the dashboards; the host name with a random suffix when absent. */
    Optional<String> instanceName();

    interface DataStore {
        /** {@code tcp} (connect) or {@code http} (GET, 2xx is up). */
        String type();

        /** {@code host:port}, for {@code tcp}. */
        Optional<String> address();

        /** {@code http://host:port/path}, for {@code http}. */
        Optional<String> url();

        @WithDefault("PT10S")
        Duration interval();

        @WithDefault("PT2S")
        Duration timeout();
    }
}
