package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.render.FileDescriptorBudget.ConnectionLimit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The descriptors HAProxy asks for, and the {@code maxconn} rendered when its limit cannot hold them; no HAProxy started. */
class FileDescriptorBudgetTest {

    @Test
    void countsTwoPerConnectionOnePerListenerAndCheckThreePerThreadAndTheClis() {
        FileDescriptorBudget budget = new FileDescriptorBudget(20_000, 2);

        // 10 reserved + 2 CLIs of 11 + 2 listeners + 3 checks + 3 per thread: what haproxy 2.6 itself reports
        assertThat(budget.need(1000, 2, 3)).isEqualTo(2043);
        assertThat(new FileDescriptorBudget(20_000, 1).need(1000, 2, 3)).isEqualTo(2040);
    }

    @Test
    void aConfigurationThatFitsKeepsItsMaxconn() {
        FileDescriptorBudget budget = new FileDescriptorBudget(20_000, 2);

        ConnectionLimit limit = budget.connectionLimit(8000, 2, 1000);

        assertThat(limit.effective()).isEqualTo(8000);
        assertThat(limit.lowered()).isFalse();
        assertThat(limit.fits()).isTrue();
        assertThat(limit.need()).isEqualTo(16_000 + 1000 + 2 + 32 + 6);
    }

    @Test
    void fiveThousandAppsWithTwoCheckedServersEachGetTheHighestHundredThatFits() {
        FileDescriptorBudget budget = new FileDescriptorBudget(20_000, 2);

        ConnectionLimit limit = budget.connectionLimit(8000, 2, 10_000);

        // what HAProxy 2.6 reported: "Cannot raise FD limit to 26040, limit is 20000"
        assertThat(limit.need()).isEqualTo(26_040);
        assertThat(limit.effective()).isEqualTo(4900);
        assertThat(limit.lowered()).isTrue();
        assertThat(limit.fits()).isTrue();
        assertThat(limit.effectiveNeed()).isLessThanOrEqualTo(20_000);
        assertThat(budget.need(5000, 2, 10_000)).isGreaterThan(20_000);
    }

    @Test
    void exactlyAtTheLimitStillFits() {
        FileDescriptorBudget budget = new FileDescriptorBudget(2043, 2);

        assertThat(budget.connectionLimit(1000, 2, 3).lowered()).isFalse();
        assertThat(new FileDescriptorBudget(2042, 2).connectionLimit(1000, 2, 3).effective()).isEqualTo(900);
    }

    @Test
    void whenNotEvenAHundredConnectionsFitItSaysSo() {
        ConnectionLimit limit = new FileDescriptorBudget(1000, 2).connectionLimit(4000, 2, 900);

        assertThat(limit.effective()).isEqualTo(FileDescriptorBudget.MIN_CONNECTIONS);
        assertThat(limit.fits()).isFalse();
    }

    @Test
    void withoutALimitEverythingFits() {
        ConnectionLimit limit = FileDescriptorBudget.unlimited().connectionLimit(1_000_000, 4, 100_000);

        assertThat(limit.effective()).isEqualTo(1_000_000);
        assertThat(limit.fits()).isTrue();
    }

    @Test
    void threadsAreCappedAtHaproxysMaximum() {
        assertThat(new FileDescriptorBudget(20_000, 256).threads()).isEqualTo(64);
        assertThatThrownBy(() -> new FileDescriptorBudget(0, 2)).hasMessageContaining("open-files limit");
    }

    @Test
    void theRendererCountsCheckedServersAndRendersTheLoweredMaxconn() {
        List<ConnectionLimit> told = new ArrayList<>();
        HaproxyConfigRenderer renderer = new HaproxyConfigRenderer(new FileDescriptorBudget(1000, 2), told::add);
        ProxyLayout layout = layout(30, 10);

        String cfg = renderer.render(layout, HaproxySettings.localDefaults(), HaproxyConfigRendererTest.MAP);

        // 30 checked servers, the 10 unchecked ones take no descriptor until they are used
        assertThat(told).singleElement().satisfies(l -> {
            assertThat(l.need()).isEqualTo(2 * 4000 + 32 + 2 + 30 + 6);
            assertThat(l.effective()).isEqualTo(400);
        });
        assertThat(cfg).contains("    maxconn 400\n").doesNotContain("maxconn 4000");
    }

    @Test
    void aConfigurationThatFitsRendersAsWithoutALimit() {
        HaproxyConfigRenderer limited = new HaproxyConfigRenderer(new FileDescriptorBudget(20_000, 2), l -> { });
        ProxyLayout layout = layout(30, 10);

        String cfg = limited.render(layout, HaproxySettings.localDefaults(), HaproxyConfigRendererTest.MAP);

        assertThat(cfg).isEqualTo(new HaproxyConfigRenderer().render(layout, HaproxySettings.localDefaults(),
                HaproxyConfigRendererTest.MAP)).contains("    maxconn 4000\n");
    }

    /** {@code checked} servers in backends with a health check, {@code unchecked} in one without. */
    static ProxyLayout layout(int checked, int unchecked) {
        List<BackendConfig> backends = new ArrayList<>();
        backends.add(new BackendConfig(new BackendSpec("checked-1", servers(checked), false, List.of(), "/health"), null));
        backends.add(new BackendConfig(new BackendSpec("unchecked-1", servers(unchecked), false, List.of(), null), null));
        return LayoutPlanner.plan(new LbModel(List.of(), backends), List.of(), true);
    }

    private static List<ServerSpec> servers(int n) {
        return IntStream.range(0, n).mapToObj(i -> new ServerSpec("s" + i, "127.0.0." + (1 + i / 250), 20_000 + i)).toList();
    }
}
