package io.bgdeploy.lbconfig.store;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.SwitchFrontend;
import io.bgdeploy.events.lb.UpsertBackend;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.lb.etcd.EtcdAccess;
import io.bgdeploy.lb.etcd.StoredJson.Outcome;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Prints figures, asserts nothing about time: {@link EtcdLbStore#apply} of a switch (what the
 * service's {@code etcd} step times) decided on the watched view, beside the baseline in the same
 * run, a store that reads etcd before every decision. The two alternate in rounds, so that both
 * see the same load. Before each switch the view has seen the previous one, as in the service,
 * where the next command comes only after the agents confirmed the last. Run with
 * {@code mvn -B -pl lb-config-service -am test -Dtest=CommandDecisionBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dswitches=400}.
 */
class CommandDecisionBenchmark {

    private static final int SWITCHES = Integer.getInteger("switches", 400);
    private static final int ROUNDS = 10;

    @Test
    void switchDecidedOnTheWatchedViewAndOnAnEtcdRead() {
        String endpoint = SharedInfra.etcd().endpoint();
        EtcdAccess etcd = EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(5));
        WatchedConfig view = new WatchedConfig(etcd, Duration.ofMillis(20));
        try (EtcdLbStore watched = new EtcdLbStore(etcd, view);
             EtcdLbStore reading = new EtcdLbStore(EtcdAccess.connect(List.of(endpoint), Duration.ofSeconds(5)),
                     (keys, prefixes, atLeast) -> Optional.empty())) {
            await().atMost(Duration.ofSeconds(30)).until(view::ready);
            String app = "bench" + UUID.randomUUID().toString().substring(0, 8);
            String blue = "default-" + app + "-1";
            String green = "default-" + app + "-2";
            HostName host = HostName.of(app + ".example.com");
            for (String id : List.of(blue, green)) {
                watched.apply(new UpsertBackend(id(), "bench", "default", app,
                        new BackendSpec(id, List.of(new ServerSpec("s", "10.9.0.1", 8080)), false, List.of(), null)));
            }
            watched.apply(new SwitchFrontend(id(), "bench", "default", app, FrontendSpec.http(host), blue, null));
            Map<String, List<Long>> nanos = new TreeMap<>();
            String current = blue;
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            for (int round = 0; round < ROUNDS; round++) {
                for (EtcdLbStore store : List.of(watched, reading)) {
                    String mode = store == watched ? "decided on the watched view" : "baseline: read from etcd first";
                    for (int i = 0; i < SWITCHES / ROUNDS / 2; i++) {
                        String target = current.equals(blue) ? green : blue;
                        long start = System.nanoTime();
                        var result = store.apply(new SwitchFrontend(id(), "bench", "default", app, FrontendSpec.http(host),
                                target, current));
                        nanos.computeIfAbsent(mode, k -> new ArrayList<>()).add(System.nanoTime() - start);
                        if (result.outcome().outcome() != Outcome.APPLIED) {
                            throw new IllegalStateException("switch not applied: " + result.outcome().reason());
                        }
                        current = target;
                        // as in the service, where the next command comes after the agents confirmed
                        // this one: the view has seen this write by then
                        long revision = result.outcome().revision();
                        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                                .until(() -> view.read(List.of(), List.of(), revision).isPresent());
                    }
                }
            }
            System.out.printf("%nCOMMAND DECISION BENCHMARK: EtcdLbStore.apply of a switch, %d per mode, in %d alternating rounds "
                    + "(load average %.1f before, %.1f after)%n", SWITCHES / 2, ROUNDS, loadBefore,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            nanos.forEach((mode, list) -> {
                long[] sorted = list.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("  %-32s mean %.1f ms, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n", mode,
                        Arrays.stream(sorted).average().orElse(0) / 1e6, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99));
            });
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
