package io.bgdeploy.lbconfig.config;

import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lbconfig.store.AgentConfirmations;
import io.bgdeploy.lbconfig.store.AgentStatesWatch;
import io.bgdeploy.lbconfig.model.OutcomeRetention;
import io.bgdeploy.lbconfig.store.AnswerRecorder;
import io.bgdeploy.lbconfig.store.CommandOutcomePruner;
import io.bgdeploy.lbconfig.store.EtcdCompactor;
import io.bgdeploy.lbconfig.store.EtcdLbStore;
import io.bgdeploy.lbconfig.store.WatchedConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Builds the framework-free parts of the service: its one etcd connection and the store on it. */
@ApplicationScoped
public class Wiring {

    private static final Logger LOG = Logger.getLogger(Wiring.class);
    /**
     * How long a command waits for the watch to deliver this instance's previous write before it
     * reads etcd instead: the watch event leaves etcd with the transaction's answer, so it is
     * usually there already; a read costs about as much as this wait.
     */
    private static final Duration WATCH_CATCH_UP = Duration.ofMillis(20);

    @Produces
    @Singleton
    EtcdAccess etcd(@ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> endpoints, LbConfig config) {
        LOG.infof("lb-config-service uses etcd at %s", endpoints);
        return EtcdAccess.connect(endpoints, config.etcdTimeout());
    }

    void close(@Disposes EtcdAccess etcd) {
        etcd.close();
    }

    @Produces
    @Singleton
    EtcdLbStore store(EtcdAccess etcd) {
        return new EtcdLbStore(etcd, new WatchedConfig(etcd, WATCH_CATCH_UP));
    }

    @Produces
    @Singleton
    AnswerRecorder answers(EtcdLbStore store, LbConfig config) {
        return new AnswerRecorder(store::markAnswered, config.etcdTimeout());
    }

    void close(@Disposes AnswerRecorder answers) {
        answers.close();
    }

    @Produces
    @Singleton
    AgentStatesWatch agentStates(EtcdAccess etcd) {
        return new AgentStatesWatch(etcd, AgentStatesWatch.REREAD);
    }

    void close(@Disposes AgentStatesWatch agents) {
        agents.close();
    }

    @Produces
    @Singleton
    AgentConfirmations confirmations(AgentStatesWatch agents, LbConfig config) {
        return new AgentConfirmations(agents, config.minAgents(), config.applyTimeout());
    }

    @Produces
    @Singleton
    EtcdCompactor compactor(EtcdAccess etcd) {
        return new EtcdCompactor(etcd);
    }

    void close(@Disposes EtcdCompactor compactor) {
        compactor.close();
    }

    @Produces
    @Singleton
    CommandOutcomePruner outcomePruner(EtcdAccess etcd, LbConfig config) {
        return new CommandOutcomePruner(etcd, new OutcomeRetention(config.commandOutcomeRetention()), Clock.systemUTC());
    }

    void close(@Disposes CommandOutcomePruner pruner) {
        pruner.close();
    }

    void connectEarly(@Observes StartupEvent event, EtcdLbStore store, EtcdCompactor compactor,
                      CommandOutcomePruner outcomePruner, LbConfig config) {
        LOG.infof("etcd reachable at startup: %s", store.reachable());
        if (config.etcdCompactionInterval().isZero()) {
            LOG.info("etcd's history is not compacted here (lbconfig.etcd-compaction-interval=0s): etcd's own flags or an"
                    + " operator must, or etcd fills its quota and refuses writes");
        } else {
            compactor.start(config.etcdCompactionInterval());
        }
        if (config.commandOutcomeRetention().isZero()) {
            LOG.info("every command outcome is kept (lbconfig.command-outcome-retention=0s): etcd grows by two or three"
                    + " keys per deployment");
        } else {
            outcomePruner.start(config.commandOutcomePruneInterval());
        }
    }
}
