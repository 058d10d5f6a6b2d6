package io.bgdeploy.deployer.config;

import io.bgdeploy.deployer.bluegreen.Deployer;
import io.bgdeploy.deployer.platform.Platform;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Says what the deployer connected to, removes orphaned workloads, re-attaches the pods of serving
 * versions and resumes (or rolls back) unfinished deployments.
 */
@ApplicationScoped
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    void onStart(@Observes StartupEvent event, Deployer deployer, Platform platform, DeployerConfig config,
                 @ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> etcd,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String kafka) {
        LOG.infof("deployer-service: platform %s, etcd %s, Kafka %s, health deadline %s, drain delay %s, lock mode %s",
                platform.name(), etcd, kafka, config.healthDeadline(), config.drainDelay(), config.lockMode());
        deployer.removeOrphans();
        deployer.reattachServing();
        deployer.resumeAll();
    }
}
