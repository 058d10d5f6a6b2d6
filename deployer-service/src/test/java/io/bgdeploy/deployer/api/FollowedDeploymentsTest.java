package io.bgdeploy.deployer.api;

import io.bgdeploy.deployer.model.Deployment;
import io.bgdeploy.deployer.testing.InMemoryStore;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.deploy.DeploymentPhase;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.deployer.model.Ids;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FollowedDeploymentsTest {

    private final InMemoryStore store = new InMemoryStore();
    private final FollowedDeployments followed = new FollowedDeployments(store, id -> true, 5);

    @AfterEach
    void close() {
        followed.close();
    }

    @Test
    void twentyStreamsOfOneDeploymentReadTheStoreOncePerPollAndTheLastToLeaveStopsIt() throws Exception {
        Deployment d = deployment("team-a");
        store.save(d);
        store.appendLog("team-a", d.id(), "accepted");
        List<List<FollowedDeployments.View>> seen = new ArrayList<>();
        List<AutoCloseable> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<FollowedDeployments.View> views = new CopyOnWriteArrayList<>();
            seen.add(views);
            streams.add(followed.follow("team-a", d.id(), views::add));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().allMatch(v -> v.size() >= 10));
        // the first stream, there before the first poll, leaves last: it is shown every poll but one
        // under way as it leaves, however long this thread takes to add and close the others
        for (int i = streams.size() - 1; i >= 0; i--) {
            streams.get(i).close();
        }
        assertThat(followed.followedCount()).isZero();
        long[] reads = {followed.reads()};
        await().atMost(Duration.ofSeconds(2)).until(() -> {
            long now = followed.reads();
            boolean still = now == reads[0];
            reads[0] = now;
            return still;
        });
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> followed.reads() == reads[0]);

        int polls = seen.get(0).size();
        assertThat((long) store.finds("team-a", d.id())).as("one read per poll, not one per stream")
                .isEqualTo(followed.reads()).isBetween((long) polls, (long) polls + 1);
        assertThat(seen.stream().mapToInt(List::size).sum()).as("20 streams shown from those reads").isGreaterThanOrEqualTo(20 * 10);
        assertThat(seen.get(19).get(0).log()).singleElement().satisfies(l -> assertThat(l.text()).isEqualTo("accepted"));
    }

    @Test
    void eachDeploymentHasItsOwnPollAndADeletedOneIsShownAsGone() throws Exception {
        Deployment a = deployment("team-a");
        Deployment b = deployment("team-b");
        store.save(a);
        List<FollowedDeployments.View> ofA = new CopyOnWriteArrayList<>();
        List<FollowedDeployments.View> ofB = new CopyOnWriteArrayList<>();
        try (AutoCloseable sa = followed.follow("team-a", a.id(), ofA::add);
             AutoCloseable sb = followed.follow("team-b", b.id(), ofB::add)) {
            assertThat(followed.followedCount()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> !ofA.isEmpty() && !ofB.isEmpty());
            assertThat(ofA.get(0).deployment()).contains(a);
            assertThat(ofA.get(0).runningHere()).isTrue();
            assertThat(ofB.get(0).deployment()).as("never saved: gone").isEmpty();
        }
    }

    private static Deployment deployment(String ns) throws Exception {
        Descriptor descriptor = EventCodec.read(("{\"namespace\": \"" + ns + "\", \"appName\": \"shop\", \"newVersion\": \"1\","
                + " \"podspec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx\"}]}}").getBytes(), Descriptor.class);
        Instant now = Instant.now();
        return new Deployment(Ids.newId(now), now, now, ns, "shop", "1", DeploymentStatus.DEPLOYING,
                DeploymentPhase.PREPARING, "test", null, null, null, null, descriptor, null);
    }
}
