package io.bgdeploy.deployer.config;

import io.bgdeploy.deployer.bluegreen.BackendFollower;
import io.bgdeploy.deployer.bluegreen.DeploymentRunner;
import io.bgdeploy.deployer.bluegreen.FlowSettings;
import io.bgdeploy.deployer.bluegreen.PodReporters;
import io.bgdeploy.deployer.bluegreen.WorkloadSpecs;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.HealthBoard;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.intake.LockMode;
import io.bgdeploy.deployer.intake.RequestAuthenticator;
import io.bgdeploy.deployer.intake.RequestIntake;
import io.bgdeploy.deployer.intake.SigningKeysFile;
import io.bgdeploy.deployer.messaging.ContainerLogPublisher;
import io.bgdeploy.deployer.messaging.DeploymentMetrics;
import io.bgdeploy.deployer.messaging.EventPublisher;
import io.bgdeploy.deployer.messaging.KafkaLoadBalancer;
import io.bgdeploy.deployer.model.Platform;
import io.bgdeploy.deployer.platform.kubernetes.KubernetesPlatform;
import io.bgdeploy.deployer.scheduling.AppRecovery;
import io.bgdeploy.deployer.scheduling.AppScheduler;
import io.bgdeploy.deployer.scheduling.Recovery;
import io.bgdeploy.deployer.platform.local.LocalPlatformAdapter;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.HistoryRetention;
import io.bgdeploy.deployer.store.EtcdAppLocks;
import io.bgdeploy.deployer.store.EtcdHistoryLocks;
import io.bgdeploy.deployer.store.EtcdStore;
import io.bgdeploy.events.signing.SigningKeys;
import io.bgdeploy.localplatform.LocalPlatform;
import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.smallrye.common.annotation.Identifier;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the framework-free parts from configuration: store, locks, platform, the flow
 * ({@link DeploymentRunner}), the per-app scheduler, recovery and the request intake.
 */
@ApplicationScoped
public class Wiring {

    private static final Logger LOG = Logger.getLogger(Wiring.class);

    /**
     * Calls are sent from the calling thread: jetcd's default executor, a thread pool, hands every
     * call to another thread before sending it, a scheduling delay in each of a deployment's saves
     * and listings that grows with the machine's load. Sending is not blocking (gRPC queues it on
     * its event loop); a retry after a delay runs on jetcd's timer thread.
     */
    @Produces
    @Singleton
    Client etcdClient(@ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> endpoints) {
        return Client.builder().endpoints(endpoints.toArray(String[]::new))
                .executorService(MoreExecutors.newDirectExecutorService()).build();
    }

    void closeEtcd(@Disposes Client client) {
        client.close();
    }

    @Produces
    @Singleton
    EtcdStore store(Client client) {
        return new EtcdStore(client);
    }

    /** Log lines still on their way to etcd are written before the client closes. */
    void closeStore(@Disposes EtcdStore store) {
        store.awaitLogWrites();
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
    Platform platform(DeployerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                      DeploymentMetrics metrics, Instance<KubernetesClient> kubernetes) {
        return switch (config.platform()) {
            case "local" -> {
                DeployerConfig.Local local = config.local();
                ContainerLogPublisher podOutput = new ContainerLogPublisher(kafka, metrics);
                yield new LocalPlatformAdapter(new LocalPlatform(new LocalPlatform.Settings(local.images(),
                        local.builtinHttpImages(), Path.of(local.stateDir()), local.restartBackoff(),
                        local.maxRestartBackoff(), local.terminationGracePeriod(), local.nodeName(),
                        local.memoryCheckPeriod(), local.podNiceness(), LocalPlatform.Supervisor.current(),
                        local.maxLogFileSize().asLongValue(), "deployer.local."), podOutput::publish), podOutput);
            }
            case "kubernetes" -> new KubernetesPlatform(kubernetes.get());
            default -> throw new IllegalArgumentException("deployer.platform '" + config.platform()
                    + "' is unknown: use local or kubernetes");
        };
    }

    void stopLocalPods(@Disposes Platform platform, DeployerConfig config) {
        if (platform instanceof LocalPlatformAdapter local) {
            local.shutdown(config.local().stopPodsOnShutdown());
        }
    }

    @Produces
    @Singleton
    BackendFollower backendFollower(Platform platform, KafkaLoadBalancer lb, HealthBoard board, DeploymentStore store,
                                    DeployerConfig config) {
        return new BackendFollower(platform, lb, board, store, config.lbTimeout(),
                Executors.newCachedThreadPool(daemonThreads("backend-follower")));
    }

    @Produces
    @Singleton
    FlowSettings flowSettings(DeployerConfig config) {
        DeployerConfig.HealthCheck hc = config.healthCheck();
        return new FlowSettings(config.healthDeadline(), config.lbTimeout(), config.drainDelay(),
                new BlueGreenPlanner.HealthTiming(hc.periodMillis(), hc.timeoutMillis(), hc.successThreshold(),
                        hc.failureThreshold()));
    }

    @Produces
    @Singleton
    PodReporters podReporters(BackendFollower backends, EventPublisher publisher, HealthBoard board,
                              FlowSettings settings) {
        return new PodReporters(backends, settings.timing(), publisher, board);
    }

    @Produces
    @Singleton
    DeploymentRunner runner(Platform platform, KafkaLoadBalancer lb, HealthBoard board, EventPublisher publisher,
                            DeploymentStore store, BackendFollower backends, PodReporters reporters,
                            FlowSettings settings) {
        return new DeploymentRunner(platform, lb, board, publisher, store, settings, backends, reporters);
    }

    @Produces
    @Singleton
    WorkloadSpecs workloadSpecs(ResourcePolicy resources, DeploymentStore store) {
        return new WorkloadSpecs(resources, store);
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
    AppRecovery appRecovery(Platform platform, DeploymentStore store, WorkloadSpecs specs, PodReporters reporters,
                            EtcdAppLocks locks) {
        return new AppRecovery(platform, store, specs, reporters, locks.owner());
    }

    @Produces
    @Singleton
    EtcdHistoryLocks historyLocks(EtcdAppLocks locks, EtcdStore store) {
        return new EtcdHistoryLocks(locks, store);
    }

    @Produces
    @Singleton
    AppScheduler scheduler(DeploymentStore store, EtcdHistoryLocks locks, DeploymentRunner runner, WorkloadSpecs specs,
                           AppRecovery recovery, DeployerConfig config) {
        return new AppScheduler(store, locks, Executors.newCachedThreadPool(daemonThreads("deployment")), runner,
                specs, recovery, new HistoryRetention(config.historyPerApp()));
    }

    @Produces
    @Singleton
    Recovery recovery(DeploymentStore store, Platform platform, WorkloadSpecs specs, PodReporters reporters,
                      AppScheduler scheduler) {
        return new Recovery(store, platform, specs, reporters, scheduler);
    }

    @Produces
    @Singleton
    RequestIntake intake(Platform platform, DeploymentStore store, EventPublisher publisher, ResourcePolicy resources,
                         EtcdHistoryLocks locks, AppScheduler scheduler, DeployerConfig config) {
        return new RequestIntake(platform, store, publisher, resources, LockMode.of(config.lockMode()),
                locks, scheduler, Clock.systemUTC());
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
