package io.bgdeploy.lbagent.config;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbagent.etcd.EtcdAgentStore;
import io.bgdeploy.lbagent.messaging.AgentFailurePublisher;
import io.bgdeploy.lbagent.render.HaproxyConfigRenderer;
import io.bgdeploy.lbagent.render.HaproxySettings;
import io.bgdeploy.lbagent.sync.AgentSettings;
import io.bgdeploy.lbagent.sync.HaproxyAgent;
import io.bgdeploy.lbagent.sync.ReloadTimeout;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
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
                h.statsPort(), null, h.hardStopAfterSeconds(), h.maxConnections(), h.stickyCookieKey());
        return new AgentSettings(config.id().orElseGet(Wiring::hostName), Path.of(h.binary()),
                Path.of(h.configFile()).toAbsolutePath(), Path.of(h.masterSocket()).toAbsolutePath(), h.start(), haproxy,
                config.leaseTtl(), config.reconcileInterval(),
                new ReloadTimeout(config.reloadTimeout(), config.reloadTimeoutPerThousandSections()), config.serverDrainTimeout());
    }

    @Produces
    @Singleton
    HaproxyAgent agent(EtcdAgentStore store, AgentSettings settings, AgentFailurePublisher failures, MeterRegistry registry) {
        return new HaproxyAgent(store, new HaproxyConfigRenderer(), settings, failures::publish,
                (step, nanos) -> registry.timer("lbagent.step", "step", step).record(nanos, TimeUnit.NANOSECONDS));
    }

    void closeAgent(@Disposes HaproxyAgent agent) {
        agent.close();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "agent-" + ProcessHandle.current().pid();
        }
    }
}
