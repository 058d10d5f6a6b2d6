package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lb.model.LbModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where versions go: a blue-green deployment of an existing app keeps HAProxy's structure. */
class LayoutPlannerTest {

    static final AppRef SHOP = new AppRef("default", "shop");
    static final HostName HOST = HostName.of("shop.example.com");

    static BackendConfig version(String v, String... addresses) {
        List<ServerSpec> servers = new java.util.ArrayList<>();
        for (int i = 0; i < addresses.length; i++) {
            servers.add(new ServerSpec("shop-" + v + "-" + i, addresses[i], 8080));
        }
        return new BackendConfig(new BackendSpec("default-shop-" + v, servers, false, List.of(), "/health"), SHOP);
    }

    static FrontendConfig route(String backendId) {
        return new FrontendConfig(FrontendSpec.http(HOST), backendId);
    }

    @Test
    void aNewAppGetsASlotForItsVersionAndASpareForTheNextWhenItIsReloadedAnyway() {
        ProxyLayout layout = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")), List.of(version("1", "10.0.0.1"))),
                List.of(), true);

        assertThat(layout.slots()).extracting(Slot::name, Slot::backendId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("be_default.shop.1", "default-shop-1"),
                        org.assertj.core.groups.Tuple.tuple("be_default.shop.2", null));
        assertThat(layout.hostMap()).containsEntry(HOST, "be_default.shop.1");
        assertThat(layout.slots().get(1).options()).isEqualTo(layout.slots().get(0).options());
    }

    @Test
    void aWholeBlueGreenDeploymentKeepsTheStructureSoItNeedsNoReload() {
        ProxyLayout blue = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")), List.of(version("1", "10.0.0.1"))),
                List.of(), true);

        ProxyLayout greenUp = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(blue), false);
        ProxyLayout switched = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), SlotAssignment.of(greenUp), false);
        ProxyLayout blueGone = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")), List.of(version("2", "10.0.0.2"))),
                SlotAssignment.of(switched), false);
        ProxyLayout nextUp = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-2")),
                List.of(version("2", "10.0.0.2"), version("3", "10.0.0.3"))), SlotAssignment.of(blueGone), false);

        for (ProxyLayout step : List.of(greenUp, switched, blueGone, nextUp)) {
            assertThat(step.sameStructureAs(blue)).as("structure after %s", step.slots()).isTrue();
        }
        assertThat(greenUp.slot("be_default.shop.2").orElseThrow().backendId()).isEqualTo("default-shop-2");
        assertThat(switched.hostMap()).containsEntry(HOST, "be_default.shop.2");
        assertThat(blueGone.slot("be_default.shop.1").orElseThrow().free()).isTrue();
        assertThat(nextUp.slot("be_default.shop.1").orElseThrow().backendId()).isEqualTo("default-shop-3");
        assertThat(nextUp.slot("be_default.shop.2").orElseThrow().backendId()).isEqualTo("default-shop-2");
    }

    @Test
    void aThirdVersionWhileTwoAreUpNeedsANewSlotAndThatIsAChangeOfStructure() {
        ProxyLayout two = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), List.of(), false);

        ProxyLayout three = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"), version("3", "10.0.0.3"))),
                SlotAssignment.of(two), false);

        assertThat(three.slots()).hasSize(3);
        assertThat(three.sameStructureAs(two)).isFalse();
        assertThat(three.slot("be_default.shop.1").orElseThrow().backendId()).isEqualTo("default-shop-1");
    }

    @Test
    void changedBackendSettingsAreAChangeOfStructure() {
        ProxyLayout before = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")), List.of(version("1", "10.0.0.1"))),
                List.of(), true);
        BackendConfig withHeader = new BackendConfig(new BackendSpec("default-shop-2", List.of(), false,
                List.of(new HttpHeader("X-Version", "2")), "/health"), SHOP);

        ProxyLayout after = LayoutPlanner.plan(new LbModel(List.of(route("default-shop-1")),
                List.of(version("1", "10.0.0.1"), withHeader)), SlotAssignment.of(before), false);

        assertThat(after.sameStructureAs(before)).isFalse();
    }

    @Test
    void compressionAndStickySessionsOfTheFrontendApplyToEverySlotOfTheApp() {
        FrontendConfig sticky = new FrontendConfig(new FrontendSpec(HOST, false, true, List.of(), true, TlsMode.HTTP_ONLY, null),
                "default-shop-1");

        ProxyLayout layout = LayoutPlanner.plan(new LbModel(List.of(sticky),
                List.of(version("1", "10.0.0.1"), version("2", "10.0.0.2"))), List.of(), true);

        assertThat(layout.slots()).allSatisfy(s -> {
            assertThat(s.options().sticky()).isTrue();
            assertThat(s.options().compression()).isTrue();
        });
    }

    @Test
    void aBackendThatNamesNoAppHasASectionOfItsOwnAndAHostWithoutBackendIsUnavailable() {
        BackendConfig legacy = new BackendConfig(new BackendSpec("old-tool-backend", List.of(), false, List.of(), null), null);
        LbModel model = new LbModel(List.of(new FrontendConfig(FrontendSpec.http("old.example.com"), "old-tool-backend"),
                new FrontendConfig(FrontendSpec.http("lost.example.com"), "default-gone-1")), List.of(legacy));

        ProxyLayout layout = LayoutPlanner.plan(model, List.of(), true);

        assertThat(layout.slots()).extracting(Slot::name).containsExactly("be_old-tool-backend");
        assertThat(layout.hostMap()).containsEntry(HostName.of("old.example.com"), "be_old-tool-backend")
                .containsEntry(HostName.of("lost.example.com"), ProxyLayout.UNAVAILABLE);
    }

    @Test
    void versionTenIsNewerThanVersionNine() {
        assertThat(List.of("default-shop-10", "default-shop-9").stream().sorted(LayoutPlanner.NEWEST_LAST).toList())
                .containsExactly("default-shop-9", "default-shop-10");
    }
}
