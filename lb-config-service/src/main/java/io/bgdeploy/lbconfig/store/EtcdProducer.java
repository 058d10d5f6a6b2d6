package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lbconfig.config.LbConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;

/** The one etcd connection of the process. */
@ApplicationScoped
public class EtcdProducer {

    private static final Logger LOG = Logger.getLogger(EtcdProducer.class);

    @Produces
    @Singleton
    EtcdLbStore store(@ConfigProperty(name = "bgdeploy.etcd.endpoints") List<String> endpoints, LbConfig config) {
        LOG.infof("lb-config-service uses etcd at %s", endpoints);
        return EtcdLbStore.connect(endpoints, config.etcdTimeout());
    }

    void close(@Disposes EtcdLbStore store) {
        store.close();
    }

    void connectEarly(@Observes StartupEvent event, EtcdLbStore store) {
        LOG.infof("etcd reachable at startup: %s", store.reachable());
    }
}
