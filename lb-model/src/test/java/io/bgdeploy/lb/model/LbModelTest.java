package io.bgdeploy.lb.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A model changed step by step ({@link LbModel#with}, persistent maps shared with the model before)
 * is the model built whole from the same entries, with the same indexes; and the model it came
 * from is unchanged.
 */
class LbModelTest {

    private static final List<AppRef> APPS = List.of(new AppRef("default", "shop"), new AppRef("default", "cart"),
            new AppRef("team", "shop"));

    private static BackendConfig backend(int n, AppRef app, int port) {
        String id = "be-" + n;
        return new BackendConfig(new BackendSpec(id, List.of(new ServerSpec(id + "-a", "10.0.0." + (n + 1), port)), false,
                List.of(), null), app);
    }

    private static FrontendConfig frontend(int n, int backend) {
        return new FrontendConfig(FrontendSpec.http("host" + n + ".example.com"), "be-" + backend);
    }

    @Test
    void changesStepByStepGiveTheModelBuiltWholeWithTheSameIndexes() {
        Random random = new Random(7);
        Map<HostName, FrontendConfig> frontends = new TreeMap<>();
        Map<String, BackendConfig> backends = new TreeMap<>();
        LbModel model = LbModel.EMPTY;
        for (int step = 0; step < 2_000; step++) {
            LbModel before = model;
            LbModel beforeRebuilt = new LbModel(List.copyOf(frontends.values()), List.copyOf(backends.values()));
            List<FrontendConfig> putFrontends = new ArrayList<>();
            List<HostName> removedHosts = new ArrayList<>();
            List<BackendConfig> putBackends = new ArrayList<>();
            List<String> removedBackends = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                int n = random.nextInt(30);
                if (random.nextInt(3) == 0) {
                    removedBackends.add("be-" + n);
                } else {
                    // the same id may move to another app (or to none) or get another server
                    AppRef app = random.nextInt(4) == 0 ? null : APPS.get(random.nextInt(APPS.size()));
                    putBackends.add(backend(n, app, 8000 + random.nextInt(3)));
                }
            }
            for (int i = random.nextInt(4); i > 0; i--) {
                int n = random.nextInt(40);
                if (random.nextInt(3) == 0) {
                    removedHosts.add(frontend(n, 0).host());
                } else {
                    putFrontends.add(frontend(n, random.nextInt(30)));
                }
            }
            model = model.with(putFrontends, removedHosts, putBackends, removedBackends);
            removedHosts.forEach(frontends::remove);
            putFrontends.forEach(f -> frontends.put(f.host(), f));
            removedBackends.forEach(backends::remove);
            putBackends.forEach(b -> backends.put(b.id(), b));

            LbModel rebuilt = new LbModel(List.copyOf(frontends.values()), List.copyOf(backends.values()));
            assertThat(model).isEqualTo(rebuilt);
            assertThat(model.frontends()).containsExactlyElementsOf(frontends.values());
            assertThat(model.backends()).containsExactlyElementsOf(backends.values());
            for (AppRef app : APPS) {
                Set<String> expected = new TreeSet<>();
                backends.values().stream().filter(b -> app.equals(b.app())).forEach(b -> expected.add(b.id()));
                assertThat(model.backendIdsOf(app)).as("versions of %s at step %d", app, step).containsExactlyElementsOf(expected);
            }
            for (int n = 0; n < 30; n++) {
                String id = "be-" + n;
                Set<HostName> expected = new TreeSet<>();
                frontends.values().stream().filter(f -> f.backendId().equals(id)).forEach(f -> expected.add(f.host()));
                assertThat(model.hostsRoutedTo(id)).as("hosts of %s at step %d", id, step).containsExactlyElementsOf(expected);
            }
            assertThat(before).as("the model a change came from is unchanged").isEqualTo(beforeRebuilt);
        }
    }

    @Test
    void aModelBuiltWholeRejectsAHostOrABackendTwice() {
        assertThatThrownBy(() -> new LbModel(List.of(frontend(1, 1), frontend(1, 2)), List.of()))
                .hasMessageContaining("host1.example.com").hasMessageContaining("twice");
        assertThatThrownBy(() -> new LbModel(List.of(), List.of(backend(1, null, 80), backend(1, APPS.get(0), 80))))
                .hasMessageContaining("be-1").hasMessageContaining("twice");
    }
}
