package io.bgdeploy.lbconfig.agent;

import io.bgdeploy.events.lb.LbAgentFailed;
import io.bgdeploy.lbconfig.config.LbConfig;
import io.bgdeploy.lbconfig.messaging.LbEventPublisher;
import io.bgdeploy.lbconfig.render.HaproxyConfigRenderer;
import io.bgdeploy.lbconfig.render.HaproxySettings;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts the HAProxy agent in this process when {@code lbconfig.agent.enabled=true}. */
@ApplicationScoped
public class AgentRunner {

    private static final Logger LOG = Logger.getLogger(AgentRunner.class);

    private final LbConfig config;
    private final EtcdLbStore store;
    private final LbEventPublisher publisher;
    private final MeterRegistry registry;
    private volatile HaproxyAgent agent;

    public AgentRunner(LbConfig config, EtcdLbStore store, LbEventPublisher publisher, MeterRegistry registry) {
        this.registry = registry;
        this.config = config;
        this.store = store;
        this.publisher = publisher;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.agent().enabled()) {
            return;
        }
        LbConfig.Haproxy h = config.agent().haproxy();
        HaproxySettings haproxy = new HaproxySettings(h.publicAddress(), h.publicPort(), h.httpsPort(), h.statsAddress(),
                h.statsPort(), null, h.hardStopAfterSeconds(), h.maxConnections());
        AgentSettings settings = new AgentSettings(config.agent().id().orElseGet(AgentRunner::hostName),
                Path.of(h.binary()), Path.of(h.configFile()).toAbsolutePath(), Path.of(h.masterSocket()).toAbsolutePath(),
                h.start(), haproxy, config.agent().leaseTtl(), config.agent().reconcileInterval(),
                config.agent().reloadTimeout());
        agent = new HaproxyAgent(store, new HaproxyConfigRenderer(), settings, this::reportFailure,
                (step, nanos) -> registry.timer("lbconfig.agent.step", "step", step).record(nanos, TimeUnit.NANOSECONDS));
        agent.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (agent != null) {
            agent.close();
        }
    }

    public Optional<HaproxyAgent> agent() {
        return Optional.ofNullable(agent);
    }

    private void reportFailure(String agentId, long revision, String reason) {
        try {
            publisher.publish(new LbAgentFailed(agentId, revision, reason));
        } catch (RuntimeException e) {
            LOG.warnf("agent %s could not publish its failure at revision %d: %s", agentId, revision, e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "agent-" + ProcessHandle.current().pid();
        }
    }
}
