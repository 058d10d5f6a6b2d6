package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A layout changed by {@link ProxyLayout#with} keeps its indexes (hosts by section, slots by
 * backend) in step, and leaves the layout it came from as it was. The persistent map beneath is
 * tested against a map built whole in lb-model's {@code LbModelTest}.
 */
class ProxyLayoutTest {

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final SlotOptions OPTIONS = new SlotOptions(false, false, "/health", List.of());
    private static final String SLOT_1 = Slot.appSlotName(SHOP, 1);
    private static final String SLOT_2 = Slot.appSlotName(SHOP, 2);

    private static Slot slot(String name, String backendId) {
        return new Slot(name, SHOP, backendId, OPTIONS,
                backendId == null ? List.of() : List.of(new ServerSpec(backendId + "-a", "10.0.0.1", 8080)));
    }

    private static Route route(String host, String target) {
        return new Route(FrontendSpec.http(host), target);
    }

    @Test
    void aSwitchAndAFreedSlotMoveTheIndexesAndLeaveTheLayoutBeforeAsItWas() {
        HostName shop = HostName.of("shop.example.com");
        HostName www = HostName.of("www.shop.example.com");
        ProxyLayout blue = new ProxyLayout(List.of(route("shop.example.com", SLOT_1), route("www.shop.example.com", SLOT_1)),
                List.of(slot(SLOT_1, "default-shop-1"), slot(SLOT_2, "default-shop-2")));

        ProxyLayout green = blue.with(List.of(), List.of(), List.of(),
                List.of(route("shop.example.com", SLOT_2), route("www.shop.example.com", SLOT_2)));
        ProxyLayout blueGone = green.with(List.of(), List.of(slot(SLOT_1, null)), List.of(www), List.of());

        assertThat(blue.hostsRoutedTo(SLOT_1)).containsExactly(shop, www);
        assertThat(blue.hostsRoutedTo(SLOT_2)).isEmpty();
        assertThat(blue.slotsOf("default-shop-1")).containsExactly(SLOT_1);
        assertThat(green.hostsRoutedTo(SLOT_1)).isEmpty();
        assertThat(green.hostsRoutedTo(SLOT_2)).containsExactly(shop, www);
        assertThat(blueGone.hostsRoutedTo(SLOT_2)).containsExactly(shop);
        assertThat(blueGone.slotsOf("default-shop-1")).as("a free slot holds no backend").isEmpty();
        assertThat(blueGone.slotsOf("default-shop-2")).containsExactly(SLOT_2);
        assertThat(blueGone).isEqualTo(new ProxyLayout(List.of(route("shop.example.com", SLOT_2)),
                List.of(slot(SLOT_1, null), slot(SLOT_2, "default-shop-2"))));
        assertThat(blue.route(shop).orElseThrow().target()).as("the layout before is unchanged").isEqualTo(SLOT_1);
        assertThat(blue.slot(SLOT_1).orElseThrow().backendId()).isEqualTo("default-shop-1");
    }
}
