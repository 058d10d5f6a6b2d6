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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A layout planned anew only for what a change touched ({@link LayoutPlanner#update}) is the layout
 * the whole plan gives, and the change is structural exactly when the whole plan's structure differs;
 * while the rest of a large configuration is neither planned nor compared.
 */
class IncrementalLayoutTest {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final HostName SHOP_HOST = HostName.of("shop.example.com");

    private static BackendConfig backend(AppRef app, String id, String address, String healthCheck, List<HttpHeader> headers) {
        return new BackendConfig(new BackendSpec(id, List.of(new ServerSpec(id + "-a", address, 8080)), false, headers,
                healthCheck), app);
    }

    private static LbModel apps(int n) {
        List<FrontendConfig> frontends = new ArrayList<>();
        List<BackendConfig> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AppRef app = new AppRef("default", "app" + i);
            backends.add(backend(app, "default-app" + i + "-1", "10.0." + (i / 250) + "." + (i % 250 + 1), "/health", List.of()));
            frontends.add(new FrontendConfig(FrontendSpec.http("app" + i + ".example.com"), "default-app" + i + "-1"));
        }
        backends.add(backend(SHOP, "default-shop-1", "10.9.0.1", "/health", List.of()));
        frontends.add(new FrontendConfig(FrontendSpec.http(SHOP_HOST), "default-shop-1"));
        return new LbModel(frontends, backends);
    }

    /** Applies a change to a model and checks the update against the whole plan; returns the update. */
    private static LayoutUpdate check(ProxyLayout current, LbModel next, Set<HostName> hosts, Set<String> backendIds) {
        LayoutUpdate update = LayoutPlanner.update(current, next, hosts, backendIds);
        ProxyLayout whole = LayoutPlanner.plan(next, SlotAssignment.of(current), false);

        assertThat(update.layout()).isEqualTo(whole);
        assertThat(update.structural()).as("structural").isEqualTo(!whole.sameStructureAs(current));
        return update;
    }

    @Test
    void aSwitchPlansOneAppAndOneHostOfAThousand() {
        LbModel model = apps(1000).with(List.of(), List.of(), List.of(backend(SHOP, "default-shop-2", "10.9.0.2", "/health",
                List.of())), List.of());
        ProxyLayout current = LayoutPlanner.plan(model, List.of(), true);

        LbModel switched = model.with(List.of(new FrontendConfig(FrontendSpec.http(SHOP_HOST), "default-shop-2")), List.of(),
                List.of(), List.of());
        LayoutUpdate update = check(current, switched, Set.of(SHOP_HOST), Set.of());

        assertThat(update.structural()).isFalse();
        assertThat(update.hosts()).containsExactly(SHOP_HOST);
        assertThat(update.slots()).as("only the app's own sections, of %d", current.slots().size())
                .containsExactlyInAnyOrder("be_default.shop.1", "be_default.shop.2", "be_default.shop.3");
        assertThat(update.layout().route(SHOP_HOST).orElseThrow().target()).isEqualTo("be_default.shop.2");
    }

    @Test
    void aNewVersionMovesIntoTheFreeSlotAndANewHostIsStructural() {
        LbModel model = apps(10);
        ProxyLayout current = LayoutPlanner.plan(model, List.of(), true);

        LbModel green = model.with(List.of(), List.of(), List.of(backend(SHOP, "default-shop-2", "10.9.0.2", "/health",
                List.of())), List.of());
        LayoutUpdate greenUp = check(current, green, Set.of(), Set.of("default-shop-2"));
        assertThat(greenUp.structural()).isFalse();
        assertThat(greenUp.layout().slot("be_default.shop.2").orElseThrow().backendId()).isEqualTo("default-shop-2");

        HostName other = HostName.of("other.example.com");
        LbModel withHost = green.with(List.of(new FrontendConfig(FrontendSpec.http(other), "default-shop-2")), List.of(),
                List.of(), List.of());
        assertThat(check(greenUp.layout(), withHost, Set.of(other), Set.of()).structural()).isTrue();
    }

    @Test
    void aBackendCreatedAfterTheHostThatRoutesToItTakesTheHostFromUnavailable() {
        HostName early = HostName.of("early.example.com");
        LbModel model = apps(5).with(List.of(new FrontendConfig(FrontendSpec.http(early), "default-late-1")), List.of(),
                List.of(), List.of());
        ProxyLayout current = LayoutPlanner.plan(model, List.of(), true);
        assertThat(current.route(early).orElseThrow().target()).isEqualTo(ProxyLayout.UNAVAILABLE);

        LbModel late = model.with(List.of(), List.of(), List.of(backend(new AppRef("default", "late"), "default-late-1",
                "10.8.0.1", null, List.of())), List.of());
        LayoutUpdate update = check(current, late, Set.of(), Set.of("default-late-1"));

        assertThat(update.layout().route(early).orElseThrow().target()).isEqualTo("be_default.late.1");
    }

    /**
     * Random changes (versions added, moved, removed, switched, hosts added and removed, settings
     * changed, backends of no app) one after another on 30 apps: after each, the update is the whole plan.
     */
    @Test
    void randomChangesAreTheWholePlanEveryTime() {
        Random random = new Random(12);
        LbModel model = apps(30);
        ProxyLayout current = LayoutPlanner.plan(model, List.of(), true);
        int versions = 100;
        for (int step = 0; step < 600; step++) {
            int app = random.nextInt(31);
            AppRef ref = app == 30 ? SHOP : new AppRef("default", "app" + app);
            HostName host = HostName.of(ref.appName() + (random.nextInt(4) == 0 ? "-b" : "") + ".example.com");
            String id = "default-" + ref.appName() + "-" + (1 + random.nextInt(3));
            Set<HostName> hosts = new HashSet<>();
            Set<String> ids = new HashSet<>();
            LbModel next;
            switch (random.nextInt(8)) {
                case 0, 1 -> {
                    next = model.with(List.of(), List.of(), List.of(backend(random.nextInt(6) == 0 ? null : ref, id,
                            "10.7." + random.nextInt(3) + "." + (1 + random.nextInt(200)),
                            random.nextBoolean() ? "/health" : null,
                            random.nextInt(5) == 0 ? List.of(new HttpHeader("X-V", "" + versions++)) : List.of())), List.of());
                    ids.add(id);
                }
                case 2 -> {
                    next = model.with(List.of(), List.of(), List.of(), List.of(id));
                    ids.add(id);
                }
                case 3, 4, 5 -> {
                    next = model.with(List.of(new FrontendConfig(new FrontendSpec(host, random.nextInt(5) == 0,
                            random.nextInt(5) == 0, List.of(), random.nextInt(5) == 0, TlsMode.HTTP_ONLY, null), id)),
                            List.of(), List.of(), List.of());
                    hosts.add(host);
                }
                case 6 -> {
                    next = model.with(List.of(), List.of(host), List.of(), List.of());
                    hosts.add(host);
                }
                default -> {
                    // two changes at once, as the events of one transaction or of a burst arrive together
                    next = model.with(List.of(new FrontendConfig(FrontendSpec.http(host), id)), List.of(),
                            List.of(backend(ref, id, "10.6.0." + (1 + random.nextInt(200)), "/health", List.of())), List.of());
                    hosts.add(host);
                    ids.add(id);
                }
            }
            LayoutUpdate update = check(current, next, hosts, ids);
            // a reload gives every app a spare slot again, as the agent's reload does
            current = update.structural() ? LayoutPlanner.plan(next, SlotAssignment.of(current), true) : update.layout();
            model = next;
        }
    }
}
