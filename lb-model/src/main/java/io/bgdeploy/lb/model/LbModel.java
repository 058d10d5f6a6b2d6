package io.bgdeploy.lb.model;

import io.bgdeploy.events.lb.BackendSpec;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole load-balancer configuration, as read from etcd at one revision. Frontends and
 * backends are kept sorted so that the same configuration always renders to the same text.
 */
public record LbModel(List<FrontendConfig> frontends, List<BackendSpec> backends) {

    public static final LbModel EMPTY = new LbModel(List.of(), List.of());

    public LbModel {
        frontends = frontends == null ? List.of()
                : frontends.stream().sorted(Comparator.comparing(FrontendConfig::hostname)).toList();
        backends = backends == null ? List.of()
                : backends.stream().sorted(Comparator.comparing(BackendSpec::id)).toList();
        Set<String> hosts = new HashSet<>();
        for (FrontendConfig f : frontends) {
            if (!hosts.add(f.hostname().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("frontend " + f.hostname() + " appears twice");
            }
        }
        Set<String> ids = new HashSet<>();
        for (BackendSpec b : backends) {
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("backend " + b.id() + " appears twice");
            }
        }
    }

    public Optional<BackendSpec> backend(String id) {
        return backends.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    public Optional<FrontendConfig> frontend(String hostname) {
        return frontends.stream().filter(f -> f.hostname().equalsIgnoreCase(hostname)).findFirst();
    }
}
