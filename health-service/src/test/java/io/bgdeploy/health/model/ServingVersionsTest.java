package io.bgdeploy.health.model;

import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Not a @QuarkusTest: deploy events in, the version that should serve out. */
class ServingVersionsTest {

    private static final String SHOP = "prod/shop";
    private final ServingVersions versions = new ServingVersions();

    private void phase(String version, DeploymentPhase phase) {
        versions.apply(new DeploymentPhaseChanged("d-" + version, "prod", "shop", version, phase, null, 10L));
    }

    private void finished(String version, DeploymentStatus status) {
        versions.apply(new DeploymentFinished("d-" + version, "prod", "shop", version, status,
                status == DeploymentStatus.FAILURE ? "health check failed" : null, 1000));
    }

    @Test
    void aVersionServesFromTheSwitchAndStopsWhenUndeployed() {
        assertThat(versions.serving(SHOP)).isEmpty();
        phase("1", DeploymentPhase.CREATING_GREEN);
        phase("1", DeploymentPhase.WAITING_FOR_HEALTH);
        assertThat(versions.serving(SHOP)).as("not before the switch").isEmpty();
        finished("1", DeploymentStatus.DEPLOYED);
        assertThat(versions.serving(SHOP)).contains("1");

        phase("2", DeploymentPhase.SWITCHING);
        assertThat(versions.serving(SHOP)).contains("1");
        phase("2", DeploymentPhase.DRAINING);
        assertThat(versions.serving(SHOP)).as("green serves once the switch is confirmed").contains("2");
        finished("1", DeploymentStatus.UNDEPLOYED);
        assertThat(versions.serving(SHOP)).as("blue replaced: version 2 still serves").contains("2");
        finished("2", DeploymentStatus.DEPLOYED);
        assertThat(versions.all()).containsEntry(SHOP, "2");

        phase("2", DeploymentPhase.UNDEPLOYING);
        assertThat(versions.serving(SHOP)).as("an undeploy ends serving at once").isEmpty();
        assertThat(versions.all()).doesNotContainKey(SHOP);
    }

    @Test
    void aRollbackAfterTheSwitchGivesTheServingBackToTheVersionBefore() {
        finished("4", DeploymentStatus.DEPLOYED);
        phase("5", DeploymentPhase.DRAINING);
        assertThat(versions.serving(SHOP)).contains("5");
        phase("5", DeploymentPhase.ROLLING_BACK);
        finished("5", DeploymentStatus.FAILURE);
        assertThat(versions.serving(SHOP)).contains("4");
    }

    @Test
    void aFailureBeforeTheSwitchChangesNothing() {
        finished("7", DeploymentStatus.DEPLOYED);
        long revision = versions.revision();
        phase("8", DeploymentPhase.WAITING_FOR_HEALTH);
        phase("8", DeploymentPhase.ROLLING_BACK);
        finished("8", DeploymentStatus.FAILURE);
        assertThat(versions.serving(SHOP)).contains("7");
        assertThat(versions.revision()).isEqualTo(revision);
    }
}
