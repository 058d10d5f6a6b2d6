package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lbagent.model.RuntimeCommand.AddServer;
import io.bgdeploy.lbagent.model.RuntimePlan.ServerRef;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.bgdeploy.lbagent.model.LayoutPlannerTest.HOST;
import static io.bgdeploy.lbagent.model.LayoutPlannerTest.route;
import static io.bgdeploy.lbagent.model.LayoutPlannerTest.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Runtime API commands of each step of a deployment, in an order that never routes to a missing server. */
class RuntimePlanTest {

    private static final String MAP = "/run/lb/hosts.map";

    private final ProxyLayout blue = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
            List.of(version("1", "10.0.0.1"))), List.of(), true);

    @Test
    void aNewVersionsServersAreAddedInMaintenanceThenCheckedThenEnabled() {
        ProxyLayout greenUp = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2", "10.0.0.3"))), SlotAssignment.of(blue), false);

        RuntimePlan plan = RuntimePlan.between(RuntimeState.of(blue), greenUp, MAP, HealthCheckInterval.DEFAULT_MILLIS);

        assertThat(plan.commands()).containsExactly(
                new AddServer("be_default.shop.2", "shop-2-0", "10.0.0.2", 8080, true),
                RuntimeCommand.enableHealth("be_default.shop.2", "shop-2-0"),
                RuntimeCommand.enableServer("be_default.shop.2", "shop-2-0"),
                new AddServer("be_default.shop.2", "shop-2-1", "10.0.0.3", 8080, true),
                RuntimeCommand.enableHealth("be_default.shop.2", "shop-2-1"),
                RuntimeCommand.enableServer("be_default.shop.2", "shop-2-1"));
        assertThat(plan.commands().get(0).line())
                .isEqualTo("add server be_default.shop.2/shop-2-0 10.0.0.2:8080 check inter 2000ms fall 3 rise 2");
        assertThat(plan.touchedSlots()).containsExactly("be_default.shop.2");
        assertThat(plan.retire()).isEmpty();
    }

    @Test
    void serversAddedAtRunTimeAreCheckedAtTheAgentsInterval() {
        ProxyLayout greenUp = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(blue), false);

        RuntimePlan plan = RuntimePlan.between(RuntimeState.of(blue), greenUp, MAP, 10_000);

        assertThat(plan.commands().get(0).line())
                .isEqualTo("add server be_default.shop.2/shop-2-0 10.0.0.2:8080 check inter 10000ms fall 3 rise 2");
        assertThatThrownBy(() -> new AddServer("be_default.shop.2", "shop-2-0", "10.0.0.2", 8080, true, 99))
                .hasMessageContaining("100 ms to 1 h");
        assertThatThrownBy(() -> new AddServer("be_default.shop.2", "shop-2-0", "10.0.0.2", 8080, true, 3_600_001))
                .hasMessageContaining("100 ms to 1 h");
    }

    @Test
    void theSwitchIsOneMapEntry() {
        ProxyLayout greenUp = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(blue), false);
        ProxyLayout switched = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(greenUp), false);

        RuntimePlan plan = RuntimePlan.between(RuntimeState.of(greenUp), switched, MAP, HealthCheckInterval.DEFAULT_MILLIS);

        assertThat(plan.commands()).containsExactly(new RuntimeCommand.MapEntry(false, MAP, HOST, "be_default.shop.2"));
        assertThat(plan.commands().get(0).line()).isEqualTo("set map /run/lb/hosts.map shop.example.com be_default.shop.2");
        assertThat(plan.touchedHosts()).containsExactly(HOST);
        assertThat(plan.serverCommands()).as("one step, one round trip").isEmpty();
        assertThat(plan.leaveCommands()).isEmpty();
        assertThat(plan.touchedSlots()).isEmpty();
    }

    @Test
    void theOldVersionsServersGoIntoMaintenanceAndAreRetired() {
        ProxyLayout both = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(blue), false);
        ProxyLayout blueGone = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")), List.of(version("2", "10.0.0.2"))),
                SlotAssignment.of(both), false);

        RuntimePlan plan = RuntimePlan.between(RuntimeState.of(both), blueGone, MAP, HealthCheckInterval.DEFAULT_MILLIS);

        assertThat(plan.commands()).containsExactly(RuntimeCommand.maintenance("be_default.shop.1", "shop-1-0"));
        assertThat(plan.leaveCommands()).containsExactly(RuntimeCommand.maintenance("be_default.shop.1", "shop-1-0"));
        assertThat(plan.retire()).containsExactly(new ServerRef("be_default.shop.1", "shop-1-0"));
        RuntimeState after = plan.expectedAfter(RuntimeState.of(both), blueGone);
        assertThat(after.serversOf("be_default.shop.1").get("shop-1-0").ready()).isFalse();
        assertThat(RuntimePlan.between(after, blueGone, MAP, HealthCheckInterval.DEFAULT_MILLIS).commands()).as("nothing left to do").isEmpty();
    }

    @Test
    void whatARestartedHaproxyMissesIsPutBack() {
        ProxyLayout switched = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(blue), false);
        RuntimeState drifted = new RuntimeState(Map.of(HOST, "be_default.shop.1", HostName.of("stale.example.com"), "be_default.shop.1"),
                Map.of("be_default.shop.1", Map.of("shop-1-0", new RuntimeState.Server("shop-1-0", "10.0.0.9", 8080, false))));

        RuntimePlan plan = RuntimePlan.between(drifted, switched, MAP, HealthCheckInterval.DEFAULT_MILLIS);

        assertThat(plan.commands()).extracting(RuntimeCommand::line).containsExactly(
                "add server be_default.shop.2/shop-2-0 10.0.0.2:8080 check inter 2000ms fall 3 rise 2",
                "enable health be_default.shop.2/shop-2-0",
                "enable server be_default.shop.2/shop-2-0",
                "set server be_default.shop.1/shop-1-0 addr 10.0.0.1 port 8080",
                "enable server be_default.shop.1/shop-1-0",
                "set map /run/lb/hosts.map shop.example.com be_default.shop.2",
                "del map /run/lb/hosts.map stale.example.com");
        assertThat(plan.serverCommands()).as("the servers, read back before any host is routed to them").hasSize(5);
        assertThat(plan.routeCommands()).extracting(RuntimeCommand::line).containsExactly(
                "set map /run/lb/hosts.map shop.example.com be_default.shop.2",
                "del map /run/lb/hosts.map stale.example.com");
    }

    @Test
    void aPlanForWhatAChangeTouchedIsTheWholePlanAndLeavesTheRestAsItWas() {
        LbModel model = new LbModel(List.of(route("default-shop-1"), new FrontendConfig(FrontendSpec.http("other.example.com"),
                "default-shop-1")), List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2")));
        ProxyLayout both = LayoutPlanner.plan(model, List.of(), true);
        RuntimeState running = RuntimeState.of(both);
        LbModel next = model.with(List.of(route("default-shop-2")), List.of(),
                List.of(version("3", "10.0.0.3")), List.of("default-shop-1"));

        LayoutUpdate update = LayoutPlanner.update(both, next, java.util.Set.of(HOST), java.util.Set.of("default-shop-1",
                "default-shop-3"));
        RuntimePlan scoped = RuntimePlan.between(running, update.layout(), MAP, update.slots(), update.hosts(),
                HealthCheckInterval.DEFAULT_MILLIS);
        RuntimePlan whole = RuntimePlan.between(running, update.layout(), MAP, HealthCheckInterval.DEFAULT_MILLIS);

        assertThat(update.structural()).isFalse();
        assertThat(scoped).isEqualTo(whole);
        assertThat(scoped.expectedAfter(running, update.layout(), update.slots(), update.hosts()))
                .isEqualTo(whole.expectedAfter(running, update.layout()));
        assertThat(scoped.routeCommands()).extracting(RuntimeCommand::line).containsExactly(
                "set map /run/lb/hosts.map other.example.com unavailable",
                "set map /run/lb/hosts.map shop.example.com be_default.shop.2");
    }
}
