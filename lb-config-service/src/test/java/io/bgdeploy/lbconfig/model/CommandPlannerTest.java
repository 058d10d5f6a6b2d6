package io.bgdeploy.lbconfig.model;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.RemoveBackend;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Decisions on a snapshot, without etcd. */
class CommandPlannerTest {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final LbModel MODEL = new LbModel(
            List.of(new FrontendConfig(FrontendSpec.http("shop.example.com"), "default-shop-1")),
            List.of(new BackendConfig(new BackendSpec("default-shop-1", List.of(new ServerSpec("a", "10.0.0.1", 80)), false,
                            List.of(), null), SHOP),
                    new BackendConfig(new BackendSpec("default-shop-2", List.of(), false, List.of(), null), SHOP)));

    @Test
    void aBackendInUseCannotBeRemoved() {
        RemoveBackend command = new RemoveBackend("c1", null, "default", "shop", "default-shop-1");

        assertThat(CommandPlanner.plan(MODEL, Set.of("/proxy/backends/default-shop-1/a"), command))
                .isInstanceOfSatisfying(CommandPlan.Reject.class,
                        r -> assertThat(r.reason()).contains("still in use by frontend(s) shop.example.com"));
    }

    @Test
    void anUpsertRemovesServersThatAreGoneIncludingInvalidOnes() {
        UpsertBackend command = new UpsertBackend("c1", null, "default", "shop", new BackendSpec("default-shop-1",
                List.of(new ServerSpec("b", "10.0.0.2", 80)), false, List.of(), null));

        CommandPlan plan = CommandPlanner.plan(MODEL, Set.of("/proxy/backends/default-shop-1/a",
                "/proxy/backends/default-shop-1/junk", "/proxy/backends/default-shop-10/a"), command);

        assertThat(plan).isInstanceOfSatisfying(CommandPlan.Write.class, w -> {
            assertThat(w.deletes()).containsExactly("/proxy/backends/default-shop-1/a", "/proxy/backends/default-shop-1/junk");
            assertThat(w.puts()).containsKeys("/proxy/backends/default-shop-1/b", "/bgdeploy/lb/config/backends/default-shop-1");
            assertThat(new String(w.puts().get("/bgdeploy/lb/config/backends/default-shop-1")))
                    .as("the backend records the app it is a version of").contains("\"app\":\"default/shop\"");
        });
    }

    @Test
    void aSwitchToAMissingBackendIsRejected() {
        SwitchFrontend command = new SwitchFrontend("c1", null, "default", "shop", FrontendSpec.http("shop.example.com"),
                "default-shop-9", "default-shop-1");

        assertThat(CommandPlanner.plan(MODEL, Set.of(), command)).isInstanceOfSatisfying(CommandPlan.Reject.class,
                r -> assertThat(r.reason()).contains("default-shop-9 does not exist"));
    }

    @Test
    void aSwitchCarryingItsBackendWritesBothInOneTransaction() {
        SwitchFrontend command = new SwitchFrontend("c1", null, "default", "shop", FrontendSpec.http("shop.example.com"),
                "default-shop-9", "default-shop-1", new BackendSpec("default-shop-9",
                List.of(new ServerSpec("b", "10.0.0.2", 80)), false, List.of(), null));

        CommandPlan plan = CommandPlanner.plan(MODEL, Set.of("/proxy/backends/default-shop-9/old"), command);

        assertThat(plan).isInstanceOfSatisfying(CommandPlan.Write.class, w -> {
            assertThat(w.puts()).containsKeys("/proxy/backends/default-shop-9/b", "/bgdeploy/lb/config/backends/default-shop-9",
                    "/proxy/frontends/shop.example.com");
            assertThat(new String(w.puts().get("/proxy/frontends/shop.example.com"))).contains("default-shop-9");
            assertThat(w.deletes()).containsExactly("/proxy/backends/default-shop-9/old");
        });
    }

    @Test
    void aStaleSwitchCarryingItsBackendWritesNeitherTheBackendNorTheFrontend() {
        SwitchFrontend command = new SwitchFrontend("c1", null, "default", "shop", FrontendSpec.http("shop.example.com"),
                "default-shop-9", "default-shop-2", new BackendSpec("default-shop-9",
                List.of(new ServerSpec("b", "10.0.0.2", 80)), false, List.of(), null));

        assertThat(CommandPlanner.plan(MODEL, Set.of(), command)).isInstanceOfSatisfying(CommandPlan.Reject.class,
                r -> assertThat(r.reason()).contains("stale switch"));
    }
}
