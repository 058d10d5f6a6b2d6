package io.bgdeploy.deployer.model;

import io.bgdeploy.events.deploy.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.bgdeploy.events.deploy.DeploymentStatus.DEPLOYED;
import static io.bgdeploy.events.deploy.DeploymentStatus.DEPLOYING;
import static io.bgdeploy.events.deploy.DeploymentStatus.FAILURE;
import static io.bgdeploy.events.deploy.DeploymentStatus.UNDEPLOYED;
import static io.bgdeploy.events.deploy.DeploymentStatus.UNDEPLOYING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryRetentionTest {

    private final List<Deployment> history = List.of(of("1", FAILURE), of("2", UNDEPLOYED), of("3", DEPLOYED),
            of("4", UNDEPLOYING), of("5", UNDEPLOYED), of("6", DEPLOYED), of("7", DEPLOYING));

    @Test
    void olderFinishedDeploymentsLeaveButNotAVersionStillDeployedNorOneInProgress() {
        assertThat(new HistoryRetention(2).toForget(history)).extracting(Deployment::version).containsExactly("1", "2", "5");
    }

    @Test
    void theNewestStayWhateverTheyAre() {
        assertThat(new HistoryRetention(3).toForget(history)).extracting(Deployment::version).containsExactly("1", "2");
        assertThat(new HistoryRetention(7).toForget(history)).isEmpty();
        assertThat(new HistoryRetention(100).toForget(history)).isEmpty();
    }

    @Test
    void aLongHistoryLeavesAFewAtATimeOldestFirst() {
        List<Deployment> history50 = java.util.stream.IntStream.rangeClosed(1, 50)
                .mapToObj(i -> of(String.valueOf(i), i == 50 ? DEPLOYED : UNDEPLOYED)).toList();

        List<Deployment> first = new HistoryRetention(2).toForget(history50);

        assertThat(first).hasSize(HistoryRetention.MAX_PER_PASS);
        assertThat(first).extracting(Deployment::version).startsWith("1", "2")
                .endsWith(String.valueOf(HistoryRetention.MAX_PER_PASS));
    }

    @Test
    void zeroKeepsEverythingAndANegativeBoundIsRefused() {
        assertThat(new HistoryRetention(0).toForget(history)).isEmpty();
        assertThatThrownBy(() -> new HistoryRetention(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deployer.history-per-app");
    }

    @Test
    void theNewestDeploymentThatDidNotFailStaysForTheNextVersionToCountFrom() {
        List<Deployment> undeployedThenFailing = List.of(of("4", UNDEPLOYED), of("5", UNDEPLOYED), of("6", FAILURE),
                of("7", FAILURE));

        assertThat(new HistoryRetention(2).toForget(undeployedThenFailing)).extracting(Deployment::version).containsExactly("4");
        assertThat(BlueGreenPlanner.nextVersion(undeployedThenFailing.subList(1, 4))).isEqualTo("6");
    }

    private static Deployment of(String version, DeploymentStatus status) {
        Instant now = Instant.now();
        return new Deployment("id-" + version, now, now, "default", "shop", version, status, null, null, null, null, null,
                null, null, null);
    }
}
