package io.bgdeploy.deployer.testing;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.LogLine;
import io.bgdeploy.deployer.model.PodHealthRecord;
import io.bgdeploy.deployer.model.UndeployRequest;
import io.bgdeploy.events.deploy.Descriptor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The store, in memory, for tests of the flow without etcd. */
public final class InMemoryStore implements DeploymentStore {

    private final Map<String, Descriptor> descriptors = new TreeMap<>();
    /** In the order they were first saved (accepted), as etcd's create revisions order them. */
    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    /** How often each app's deployments were listed ({@code <namespace>/<app>}; {@code <namespace>/null}: all). */
    private final Map<String, Integer> listings = new HashMap<>();
    private final Map<String, Integer> finds = new HashMap<>();
    private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, PodHealthRecord>> health = new ConcurrentHashMap<>();
    private final Map<String, String> rollbacks = new ConcurrentHashMap<>();
    private final Map<String, UndeployRequest> undeploys = new ConcurrentHashMap<>();

    @Override
    public void saveUndeployRequest(String namespace, String deploymentId, UndeployRequest r) {
        undeploys.put(namespace + "/" + deploymentId, r);
    }

    @Override
    public Optional<UndeployRequest> undeployRequest(String namespace, String deploymentId) {
        return Optional.ofNullable(undeploys.get(namespace + "/" + deploymentId));
    }
    public final Map<String, String> environment = new TreeMap<>();

    @Override
    public void requestRollback(String namespace, String deploymentId, String by) {
        rollbacks.put(namespace + "/" + deploymentId, by);
    }

    @Override
    public Optional<String> rollbackRequest(String namespace, String deploymentId) {
        return Optional.ofNullable(rollbacks.get(namespace + "/" + deploymentId));
    }

    @Override
    public synchronized void saveDescriptor(Descriptor d) {
        descriptors.put(d.namespace() + "/" + d.id(), d);
    }

    @Override
    public synchronized Optional<Descriptor> findDescriptor(String namespace, String id) {
        return Optional.ofNullable(descriptors.get(namespace + "/" + id));
    }

    @Override
    public synchronized List<Descriptor> listDescriptors(String namespace, String appName) {
        return descriptors.values().stream().filter(d -> d.namespace().equals(namespace))
                .filter(d -> appName == null || appName.equals(d.appName())).toList();
    }

    @Override
    public synchronized boolean deleteDescriptor(String namespace, String id) {
        return descriptors.remove(namespace + "/" + id) != null;
    }

    @Override
    public synchronized void save(Deployment d) {
        deployments.put(d.namespace() + "/" + d.id(), d);
    }

    /** Each {@link #saveAll}'s deployments, in the order they were saved together. */
    private final List<List<Deployment>> savedTogether = new ArrayList<>();

    @Override
    public synchronized void saveAll(List<Deployment> all) {
        savedTogether.add(List.copyOf(all));
        all.forEach(this::save);
    }

    /** The deployments each {@link #saveAll} wrote at once, in call order. */
    public synchronized List<List<Deployment>> savedTogether() {
        return List.copyOf(savedTogether);
    }

    @Override
    public synchronized Optional<Deployment> find(String namespace, String id) {
        finds.merge(namespace + "/" + id, 1, Integer::sum);
        return Optional.ofNullable(deployments.get(namespace + "/" + id));
    }

    /** How often {@link #find} was asked for that deployment. */
    public synchronized int finds(String namespace, String id) {
        return finds.getOrDefault(namespace + "/" + id, 0);
    }

    @Override
    public synchronized List<Deployment> list(String namespace, String appName) {
        listings.merge(namespace + "/" + appName, 1, Integer::sum);
        return deployments.values().stream().filter(d -> d.namespace().equals(namespace))
                .filter(d -> appName == null || appName.equals(d.appName())).toList();
    }

    /** How often {@link #list} was asked for that app's deployments. */
    public synchronized int listings(String namespace, String appName) {
        return listings.getOrDefault(namespace + "/" + appName, 0);
    }

    @Override
    public synchronized List<Deployment> listAll() {
        return List.copyOf(deployments.values());
    }

    @Override
    public synchronized boolean delete(String namespace, String id) {
        // as EtcdStore: the deployment leaves with its log, health, rollback and undeploy records
        logs.remove(id);
        health.remove(id);
        rollbacks.remove(namespace + "/" + id);
        undeploys.remove(namespace + "/" + id);
        return deployments.remove(namespace + "/" + id) != null;
    }

    @Override
    public void appendLog(String namespace, String deploymentId, String line) {
        logs.computeIfAbsent(deploymentId, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(line);
    }

    @Override
    public List<LogLine> logLines(String namespace, String deploymentId) {
        List<String> lines = List.copyOf(logs.getOrDefault(deploymentId, List.of()));
        List<LogLine> keyed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            keyed.add(new LogLine(String.format("%09d", i), lines.get(i)));
        }
        return keyed;
    }

    @Override
    public void saveHealth(String namespace, String deploymentId, PodHealthRecord record) {
        health.computeIfAbsent(deploymentId, k -> new ConcurrentHashMap<>()).put(record.pod(), record);
    }

    @Override
    public List<PodHealthRecord> health(String namespace, String deploymentId) {
        return List.copyOf(health.getOrDefault(deploymentId, Map.of()).values());
    }

    @Override
    public synchronized Map<String, String> environment() {
        return Map.copyOf(environment);
    }

    @Override
    public boolean reachable() {
        return true;
    }
}
