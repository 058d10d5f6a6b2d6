package io.bgdeploy.lbagent.config;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.messaging.AgentFailurePublisher;
import io.bgdeploy.lbagent.render.FileDescriptorBudget;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.model.HealthCheckInterval;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.render.ProcLimits;
import io.bgdeploy.lbagent.sync.AgentSettings;
import io.bgdeploy.lbagent.sync.HaproxyAgent;
import io.bgdeploy.lbagent.sync.ReloadTimeout;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Builds the framework-free parts of the agent (etcd access, renderer, the agent itself) from configuration. */
@ApplicationScoped
public class Wiring {

    private static final Logger LOG = Logger.getLogger(Wiring.class);

    @Produces
    @Singleton
    EtcdAgentStore store(@ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> endpoints, AgentConfig config) {
        LOG.infof("lb-agent uses etcd at %s", endpoints);
        return new EtcdAgentStore(EtcdAccess.connect(endpoints, config.etcdTimeout()));
    }

    void closeStore(@Disposes EtcdAgentStore store) {
        store.close();
    }

    /** Checked here, before HAProxy is started: a socket path HAProxy cannot bind is refused with the reason. */
    @Produces
    @Singleton
    AgentSettings settings(AgentConfig config) {
        AgentConfig.Haproxy h = config.haproxy();
        HaproxySettings haproxy = new HaproxySettings(h.publicAddress(), h.publicPort(), h.httpsPort(), h.statsAddress(),
                h.statsPort(), AgentSettings.workerSocketBeside(Path.of(h.masterSocket())), h.hardStopAfterSeconds(),
                h.maxConnections(), h.stickyCookieKey(), HealthCheckInterval.millis(h.checkInterval()));
        return new AgentSettings(config.id().orElseGet(Wiring::hostName), Path.of(h.binary()),
                Path.of(h.configFile()).toAbsolutePath(), Path.of(h.masterSocket()).toAbsolutePath(), h.start(), haproxy,
                config.leaseTtl(), config.reconcileInterval(),
                new ReloadTimeout(config.reloadTimeout(), config.reloadTimeoutPerThousandSections()), config.serverDrainTimeout());
    }

    @Produces
    @Singleton
    HaproxyAgent agent(EtcdAgentStore store, AgentSettings settings, AgentFailurePublisher failures, MeterRegistry registry,
                       AgentConfig config) {
        FileDescriptorBudget budget = fileDescriptorBudget(config.haproxy().openFilesLimit());
        ConnectionLimitLog limits = new ConnectionLimitLog(settings.agentId());
        Gauge.builder("lbagent.haproxy.max.connections", limits, ConnectionLimitLog::effectiveMaxConnections)
                .description("the maxconn HAProxy is given: the configured one, or lower when its open-files limit cannot hold it")
                .register(registry);
        return new HaproxyAgent(store, new HaproxyConfigRenderer(budget, limits), settings, failures::publish,
                (step, nanos) -> stepTimer(registry, step).record(nanos, TimeUnit.NANOSECONDS));
    }

    /**
     * How long a step of a reconcile takes, with a histogram (from 0.1 ms, where the Runtime API's
     * steps are, to 30 s, where a reload of thousands of apps is), so that a step's tail is seen
     * and not only its mean.
     */
    private static Timer stepTimer(MeterRegistry registry, String step) {
        return Timer.builder("lbagent.step").tag("step", step).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    void closeAgent(@Disposes HaproxyAgent agent) {
        agent.close();
    }

    /**
     * HAProxy's open-files limit and threads, from this process: a child inherits both. Without
     * /proc (not Linux) and without a configured limit, nothing is assumed.
     */
    private static FileDescriptorBudget fileDescriptorBudget(Optional<Long> configuredLimit) {
        int threads = Runtime.getRuntime().availableProcessors();
        long limit = configuredLimit.orElse(FileDescriptorBudget.UNLIMITED);
        try {
            threads = ProcLimits.allowedCpus(Files.readString(Path.of("/proc/self/status")));
            if (configuredLimit.isEmpty()) {
                limit = ProcLimits.hardOpenFiles(Files.readString(Path.of("/proc/self/limits")));
            }
        } catch (IOException | IllegalArgumentException noProc) {
            LOG.infof("lb-agent cannot read its limits from /proc (%s); set lbagent.haproxy.open-files-limit"
                    + " if HAProxy's open-files limit is low", noProc.getMessage());
        }
        LOG.infof("HAProxy's open-files limit is %s, for %d threads",
                limit == FileDescriptorBudget.UNLIMITED ? "unlimited" : Long.toString(limit), threads);
        return new FileDescriptorBudget(limit, threads);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "agent-" + ProcessHandle.current().pid();
        }
    }
}
