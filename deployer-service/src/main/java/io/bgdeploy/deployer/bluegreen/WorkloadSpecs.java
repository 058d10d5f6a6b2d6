package io.bgdeploy.deployer.bluegreen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.deployer.model.BlueGreenPlanner;
import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.model.DeploymentStore;
import io.bgdeploy.deployer.model.ResourcePolicy;
import io.bgdeploy.deployer.model.WorkloadSpec;

/** The workload of a stored deployment: its descriptor with the resource policy and the shared environment applied. */
public final class WorkloadSpecs {

    private final ResourcePolicy resources;
    private final DeploymentStore store;

    public WorkloadSpecs(ResourcePolicy resources, DeploymentStore store) {
        this.resources = resources;
        this.store = store;
    }

    public WorkloadSpec of(Deployment d) {
        ObjectNode podspec = resources.apply(d.descriptor().podspec()).podspec();
        return BlueGreenPlanner.workload(d.id(), d.descriptor(), d.version(), podspec, store.environment());
    }
}
