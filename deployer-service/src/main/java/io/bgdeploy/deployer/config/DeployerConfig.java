package io.bgdeploy.deployer.config;

import io.bgdeploy.deployer.model.HistoryRetention;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every setting of the deployer-service, under the prefix {@code deployer}. */
@ConfigMapping(prefix = "deployer")
public interface DeployerConfig {

    /** Where workloads run: {@code local} (processes on this machine) or {@code kubernetes}. */
    @WithDefault("local")
    String platform();

    /** How long every green pod may take to run and pass its health check. */
    @WithDefault("60s")
    Duration healthDeadline();

    /**
     * How far back an instance reads pod-health when it starts: health-service publishes only
     * transitions, so a deployment continued after a restart learns this way that its pods became
     * ready while no deployer ran. A pod that turned ready longer ago is known only from the health
     * the instances stored, or from its next transition.
     */
    @WithDefault("15m")
    Duration podHealthReplay();

    /** How long the load balancer may take to confirm one command from every live agent. */
    @WithDefault("30s")
    Duration lbTimeout();

    /** How long blue keeps running after the switch, so that an instant rollback stays possible. */
    @WithDefault("10s")
    Duration drainDelay();

    /**
     * How long a deployment event or load-balancer command may take until the broker confirms it
     * (every in-sync replica has it); the producers' own {@code delivery.timeout.ms} plus
     * {@code max.block.ms} must stay below this, so that they retry and give their verdict first.
     */
    @WithDefault("45s")
    Duration eventSendTimeout();

    /**
     * How many of an app's newest deployments its history always keeps, with their logs; older ones
     * that ended UNDEPLOYED or FAILURE are removed once the app's deployments ran (a version still
     * deployed never is). 0 keeps everything.
     */
    @WithDefault("" + HistoryRetention.DEFAULT_KEEP)
    int historyPerApp();

    /** What a deployment of an app that is already deploying does: {@code queue} or {@code refuse}. */
    @WithDefault("queue")
    String lockMode();

    /** How instances share the apps: one instance at a time runs an app's deployments. */
    Instance instance();

    /** Health-check timing passed to health-service with every pod. */
    HealthCheck healthCheck();

    /** Default resource requests and limits, and what to do when a container has none. */
    Resources resources();

    Local local();

    Auth auth();

    Signing signing();

    interface Instance {
        /** This instance's name in locks and logs; default: host name and a random suffix. */
        Optional<String> name();

        /** How long the apps of an instance that stopped stay locked before another instance takes them over. */
        @WithDefault("10s")
        Duration lockTtl();

        /** How often an instance looks for unfinished deployments that no instance runs. */
        @WithDefault("5s")
        Duration takeoverInterval();

        /**
         * How often an instance deletes the workloads it manages that no deployment owns any more
         * (besides at startup): a version that another instance replaced while this one ran its pods
         * (the local platform's pods belong to the process that started them).
         */
        @WithDefault("30s")
        Duration orphanSweepInterval();
    }

    interface HealthCheck {
        @WithDefault("1000")
        long periodMillis();

        @WithDefault("800")
        long timeoutMillis();

        @WithDefault("1")
        int successThreshold();

        @WithDefault("3")
        int failureThreshold();
    }

    interface Resources {
        /**
         * {@code fill}: missing requests/limits get the defaults below (and the log says which);
         * {@code require}: a container without limits is refused; {@code off}: no policy.
         */
        @WithDefault("fill")
        String policy();

        @WithDefault("100m")
        String cpuRequest();

        @WithDefault("500m")
        String cpuLimit();

        @WithDefault("128Mi")
        String memoryRequest();

        @WithDefault("256Mi")
        String memoryLimit();
    }

    interface Local {
        /**
         * Command lines for images that have no {@code command} in the pod spec, by image name
         * (without tag), e.g. {@code deployer.local.images."nginx"=builtin-http}. The value is split
         * on whitespace into an argument list and never run through a shell; {@code builtin-http}
         * is the local platform's built-in HTTP server.
         */
        Map<String, String> images();

        /** Images run by the built-in HTTP server when no entry in {@link #images()} matches. */
        @WithDefault("nginx,httpd")
        List<String> builtinHttpImages();

        /** Where pod state (pids, ports) is kept so a restarted deployer adopts its running pods. */
        @WithDefault("${java.io.tmpdir}/bgdeploy-local-platform")
        String stateDir();

        @WithDefault("1s")
        Duration restartBackoff();

        @WithDefault("30s")
        Duration maxRestartBackoff();

        /** Time between SIGTERM and SIGKILL when a pod is stopped. */
        @WithDefault("5s")
        Duration terminationGracePeriod();

        /**
         * Whether pods stop when the deployer stops. Off by default: pods keep serving and a
         * restarted deployer adopts them; tests switch it on.
         */
        @WithDefault("false")
        boolean stopPodsOnShutdown();

        /**
         * How often every local container's resident memory (its process and descendants) is
         * compared with its {@code resources.limits.memory}; a container over its limit is killed
         * and restarted as {@code OOMKilled}. {@code 0s} turns the check off.
         */
        @WithDefault("1s")
        Duration memoryCheckPeriod();

        /**
         * How many steps of niceness local containers run above the deployer's own: 0 (the same
         * priority) to 19 (the lowest there is). Above 0, pods that saturate the machine leave the
         * CPU to the deployer, the load balancer's services, Kafka and etcd when those wake, as a
         * Kubernetes node reserves CPU for its system daemons.
         */
        @WithDefault("5")
        int podNiceness();

        /** The node name reported for local pods. */
        @WithDefault("local")
        String nodeName();

        /**
         * Size above which a local container's stdout or stderr file is truncated, once every line
         * in it is delivered (the kubelet's {@code containerLogMaxSize}).
         */
        @WithDefault("10M")
        MemorySize maxLogFileSize();
    }

    interface Auth {
        /** Named bearer tokens and the namespaces each may read and change ({@code *} = every namespace). */
        Map<String, Token> tokens();

        /** A file whose first non-empty line is a bearer token (the local run generates one). */
        Optional<String> tokenFile();

        /** Namespaces the token from {@link #tokenFile()} may read and change. */
        @WithDefault("*")
        List<String> tokenFileNamespaces();

        /**
         * Namespaces that may be read and changed without a token. Empty in production; the
         * reference-script test and {@code quarkus dev} use {@code default}, so that an unchanged
         * {@code deploy.sh} works.
         */
        Optional<List<String>> anonymousNamespaces();

        interface Token {
            String token();

            List<String> namespaces();
        }
    }

    /** Signed deploy requests on Kafka (see common-events' README, "Signed deploy requests"). */
    interface Signing {
        /**
         * A properties file of the keys that may sign deploy requests: one line
         * {@code <namespace>/<name>=<base64 key>} per key (a key of namespace {@code test} deploys only
         * to {@code test}), as mounted from a Kubernetes Secret; read again when it changes. Without
         * it, every deploy request on Kafka is rejected (the REST API has its own tokens).
         */
        Optional<String> keysFile();
    }
}
