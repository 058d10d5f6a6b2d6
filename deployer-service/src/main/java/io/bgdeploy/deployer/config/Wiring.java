package io.bgdeploy.deployer.config;

import io.bgdeploy.deployer.bluegreen.BackendFollower;
import io.bgdeploy.deployer.bluegreen.BlueGreenFlow;
import io.bgdeploy.deployer.bluegreen.BlueGreenPlanner;
import io.bgdeploy.deployer.bluegreen.Deployer;
import io.bgdeploy.deployer.bluegreen.HealthBoard;
import io.bgdeploy.deployer.bluegreen.ResourcePolicy;
import io.bgdeploy.deployer.intake.RequestAuthenticator;
import io.bgdeploy.deployer.intake.SigningKeysFile;
import io.bgdeploy.deployer.messaging.DeploymentMetrics;
import io.bgdeploy.deployer.messaging.EventPublisher;
import io.bgdeploy.deployer.messaging.KafkaLoadBalancer;
import io.bgdeploy.deployer.platform.Platform;
import io.bgdeploy.deployer.platform.kubernetes.KubernetesPlatform;
import io.bgdeploy.deployer.platform.local.LocalPlatform;
import io.bgdeploy.deployer.store.DeploymentStore;
import io.bgdeploy.deployer.store.EtcdAppLocks;
import io.bgdeploy.deployer.store.EtcdStore;
import io.bgdeploy.events.signing.SigningKeys;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the framework-free parts (store, platform, flow, deployer) from configuration. */
@ApplicationScoped
public class Wiring {

    private static final Logger LOG = Logger.getLogger(Wiring.class);

    @Produces
    @Singleton
    Client etcdClient(@ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> endpoints) {
        return Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    }

    void closeEtcd(@Disposes Client client) {
        client.close();
    }

    @Produces
    @Singleton
    DeploymentStore store(Client client) {
        return new EtcdStore(client);
    }

    @Produces
    @Singleton
    HealthBoard healthBoard() {
        return new HealthBoard();
    }

    @Produces
    @Singleton
    KafkaLoadBalancer loadBalancer(EventPublisher publisher) {
        return new KafkaLoadBalancer(publisher);
    }

    @Produces
    @Singleton
    Platform platform(DeployerConfig config, EventPublisher publisher, Instance<KubernetesClient> kubernetes) {
        return switch (config.platform()) {
            case "local" -> {
                DeployerConfig.Local local = config.local();
                yield new LocalPlatform(new LocalPlatform.Settings(local.images(), local.builtinHttpImages(),
                        Path.of(local.stateDir()), local.restartBackoff(), local.maxRestartBackoff(),
                        local.terminationGracePeriod(), local.nodeName(), local.memoryCheckPeriod(),
                        LocalPlatform.Supervisor.current(), local.maxLogFileSize().asLongValue()),
                        publisher::publishWithConfirmation);
            }
            case "kubernetes" -> new KubernetesPlatform(kubernetes.get());
            default -> throw new IllegalArgumentException("deployer.platform '" + config.platform()
                    + "' is unknown: use local or kubernetes");
        };
    }

    void stopLocalPods(@Disposes Platform platform, DeployerConfig config) {
        if (platform instanceof LocalPlatform local && config.local().stopPodsOnShutdown()) {
            local.stopAll();
        }
    }

    @Produces
    @Singleton
    BlueGreenFlow flow(Platform platform, KafkaLoadBalancer lb, HealthBoard board, EventPublisher publisher,
                       DeploymentStore store, DeployerConfig config) {
        DeployerConfig.HealthCheck hc = config.healthCheck();
        BackendFollower backends = new BackendFollower(platform, lb, board, store, config.lbTimeout(),
                Executors.newCachedThreadPool(daemonThreads("backend-follower")));
        return new BlueGreenFlow(platform, lb, board, publisher, store, new BlueGreenFlow.Settings(
                config.healthDeadline(), config.lbTimeout(), config.drainDelay(),
                new BlueGreenPlanner.HealthTiming(hc.periodMillis(), hc.timeoutMillis(), hc.successThreshold(),
                        hc.failureThreshold())), backends);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Produces
    @Singleton
    ResourcePolicy resourcePolicy(DeployerConfig config) {
        DeployerConfig.Resources r = config.resources();
        return new ResourcePolicy(ResourcePolicy.mode(r.policy()), r.cpuRequest(), r.cpuLimit(), r.memoryRequest(),
                r.memoryLimit());
    }

    @Produces
    @Singleton
    EtcdAppLocks appLocks(Client client, DeployerConfig config) {
        String name = config.instance().name().orElseGet(() -> hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));
        return new EtcdAppLocks(client, config.instance().lockTtl(), Duration.ofSeconds(10), name);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "deployer";
        }
    }

    @Produces
    @Singleton
    Deployer deployer(Platform platform, DeploymentStore store, EventPublisher publisher, BlueGreenFlow flow,
                      ResourcePolicy resources, EtcdAppLocks locks, DeploymentMetrics metrics, DeployerConfig config) {
        ExecutorService executor = Executors.newCachedThreadPool(daemonThreads("deployment"));
        Deployer deployer = new Deployer(platform, store, publisher, flow, resources,
                Deployer.lockMode(config.lockMode()), locks, executor, Clock.systemUTC());
        metrics.bind(deployer);
        return deployer;
    }

    @Produces
    @Singleton
    RequestAuthenticator requestAuthenticator(DeployerConfig config) {
        return config.signing().keysFile().map(file -> new RequestAuthenticator(SigningKeysFile.open(Path.of(file))))
                .orElseGet(() -> {
                    LOG.warn("signed deploy requests: no deployer.signing.keys-file, so every deploy request on Kafka is"
                            + " rejected (the REST API is not affected)");
                    SigningKeys none = SigningKeys.of();
                    return new RequestAuthenticator(() -> none);
                });
    }
}
