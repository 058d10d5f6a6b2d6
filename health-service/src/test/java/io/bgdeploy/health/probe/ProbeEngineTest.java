package io.bgdeploy.health.probe;

import io.bgdeploy.events.pod.HealthCheckSpec;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.PodRef;
import io.bgdeploy.events.pod.ProbeResult;
import io.bgdeploy.health.PodServer;
import io.bgdeploy.health.model.ProbeListener;
import io.bgdeploy.health.model.ProbeTarget;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not a @QuarkusTest: the engine is driven directly, against real local HTTP servers playing pods,
 * with the real Vert.x client.
 */
class ProbeEngineTest {

    record Transition(String pod, PodHealthState state, ProbeResult probe, int probesBefore) {
    }

    private final List<Transition> transitions = new CopyOnWriteArrayList<>();
    private final List<ProbeResult> probes = new CopyOnWriteArrayList<>();
    private final List<PodServer> servers = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private VertxHttpProber prober;
    private ProbeEngine engine;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        // Test pods share one server address; real pods each have their own connection pool.
        prober = new VertxHttpProber(vertx, 32);
        engine = new ProbeEngine(vertx, prober, new ProbeListener() {
            @Override
            public void probed(ProbeTarget target, ProbeResult result) {
                probes.add(result);
            }

            @Override
            public void changed(ProbeTarget target, PodHealthState state, ProbeResult lastProbe) {
                transitions.add(new Transition(target.pod().podName(), state, lastProbe, probes.size()));
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        engine.close();
        prober.close();
        servers.forEach(PodServer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PodServer server() {
        PodServer s = PodServer.start();
        servers.add(s);
        return s;
    }

    /** A generous timeout: on a busy machine the first probes of a cold JVM can take seconds. */
    private static ProbeTarget target(String pod, String type, int port, int success, int failure) {
        return new ProbeTarget(new PodRef("dep-1", "shop", "cart", "2", pod), "node-1", "127.0.0.1",
                new HealthCheckSpec(type, "/health", port, 100, 5000, success, failure));
    }

    private List<Transition> of(String pod) {
        return transitions.stream().filter(t -> t.pod().equals(pod)).toList();
    }

    @Test
    void aHealthyPodBecomesReadyAfterTheSuccessThresholdAndStaysQuiet() {
        PodServer pod = server().answer(200, "ok");
        engine.start(target("cart-a", "simple", pod.port(), 3, 2));

        await().atMost(Duration.ofSeconds(10)).until(() -> !of("cart-a").isEmpty());
        Transition ready = of("cart-a").get(0);
        assertThat(ready.state()).isEqualTo(PodHealthState.READY);
        assertThat(ready.probesBefore()).as("probes before READY").isEqualTo(3);
        assertThat(ready.probe().httpStatus()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> probes.size() >= 8);
        assertThat(of("cart-a")).as("nothing published while the state holds").hasSize(1);
    }

    @Test
    void aPodThatStartsFailingTurnsUnhealthyAfterTheFailureThresholdAndRecovers() {
        PodServer pod = server().answer(200, "ok");
        engine.start(target("cart-b", "simple", pod.port(), 1, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> of("cart-b").size() == 1);

        int before = probes.size();
        pod.answer(503, "{\"error\":\"database unreachable\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> of("cart-b").size() == 2);
        Transition unhealthy = of("cart-b").get(1);
        assertThat(unhealthy.state()).isEqualTo(PodHealthState.UNHEALTHY);
        assertThat(unhealthy.probesBefore() - before).as("failed probes before UNHEALTHY").isBetween(3, 4);
        assertThat(unhealthy.probe().httpStatus()).isEqualTo(503);
        assertThat(unhealthy.probe().error()).isEqualTo("HTTP status 503 is not 2xx");
        assertThat(unhealthy.probe().bodyExcerpt()).isEqualTo("{\"error\":\"database unreachable\"}");

        pod.answer(200, "ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> of("cart-b").size() == 3);
        assertThat(of("cart-b").get(2).state()).isEqualTo(PodHealthState.RECOVERED);
    }

    @Test
    void probeEndpointAnsweringHealthyFalseIsUnhealthyWithTheReason() {
        PodServer pod = server().answer(200, "{\"healthy\": false, \"checks\": {\"db\": \"down\"}}");
        engine.start(target("cart-c", "probe", pod.port(), 1, 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> !of("cart-c").isEmpty());
        Transition t = of("cart-c").get(0);
        assertThat(t.state()).isEqualTo(PodHealthState.UNHEALTHY);
        assertThat(t.probe().error()).isEqualTo("probe answered {\"healthy\": false}");
        assertThat(t.probe().bodyExcerpt()).contains("\"db\": \"down\"");
    }

    @Test
    void probeEndpointAnsweringMalformedJsonIsUnhealthyWithTheReason() {
        PodServer pod = server().answer(200, "{\"healthy\": tr");
        engine.start(target("cart-d", "probe", pod.port(), 1, 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> !of("cart-d").isEmpty());
        Transition t = of("cart-d").get(0);
        assertThat(t.state()).isEqualTo(PodHealthState.UNHEALTHY);
        assertThat(t.probe().error()).startsWith("probe body is not JSON");
    }

    @Test
    void probeEndpointAnsweringHealthyTrueBecomesReady() {
        PodServer pod = server().answer(200, "{\"healthy\": true, \"version\": \"2\"}");
        engine.start(target("cart-e", "probe", pod.port(), 2, 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> !of("cart-e").isEmpty());
        assertThat(of("cart-e").get(0).state()).isEqualTo(PodHealthState.READY);
    }

    @Test
    void aRefusedConnectionAndAHangingPodAreUnhealthyWithTheReason() {
        PodServer closed = server();
        int closedPort = closed.port();
        closed.close();
        PodServer hanging = server().hang();
        engine.start(target("cart-f", "simple", closedPort, 1, 1));
        engine.start(new ProbeTarget(new PodRef("dep-1", "shop", "cart", "2", "cart-g"), "node-1", "127.0.0.1",
                new HealthCheckSpec("simple", "/health", hanging.port(), 200, 150, 1, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> !of("cart-f").isEmpty() && !of("cart-g").isEmpty());
        assertThat(of("cart-f").get(0).probe().error()).startsWith("cannot connect");
        assertThat(of("cart-f").get(0).probe().httpStatus()).isNull();
        assertThat(of("cart-g").get(0).probe().error()).isEqualTo("no answer within the timeout of 150 ms");
        assertThat(of("cart-g").get(0).probe().latencyMillis()).isBetween(150L, 10_000L);
    }

    @Test
    void aGonePodReportsGoneOnceAndIsNoLongerProbed() {
        PodServer pod = server().answer(200, "ok");
        ProbeTarget target = target("cart-h", "simple", pod.port(), 1, 1);
        engine.start(target);
        await().atMost(Duration.ofSeconds(10)).until(() -> of("cart-h").size() == 1);

        assertThat(engine.gone(target.pod())).isTrue();
        assertThat(engine.gone(target.pod())).isFalse();
        assertThat(of("cart-h")).extracting(Transition::state)
                .containsExactly(PodHealthState.READY, PodHealthState.GONE);
        int requests = pod.requests();
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> pod.requests() <= requests + 1);
    }

    @Test
    void aPodGoneBeforeItsFirstVerdictEndsSilently() {
        PodServer pod = server().hang();
        ProbeTarget target = target("cart-j", "simple", pod.port(), 1, 1);
        engine.start(target);
        assertThat(engine.gone(target.pod())).isTrue();
        assertThat(of("cart-j")).isEmpty();
        assertThat(engine.size()).isZero();
    }

    @Test
    void aReplayedStartKeepsTheStateAndAReleasedPodIsDroppedSilently() {
        PodServer pod = server().answer(200, "ok");
        ProbeTarget target = target("cart-i", "simple", pod.port(), 1, 1);
        assertThat(engine.start(target)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> of("cart-i").size() == 1);
        assertThat(engine.start(target)).as("same pod, same check").isFalse();

        assertThat(engine.release(t -> t.pod().appName().equals("cart"))).isEqualTo(1);
        assertThat(engine.size()).isZero();
        assertThat(of("cart-i")).hasSize(1);
    }

    @Test
    void twoHundredPodsAreProbedWithoutAThreadPerPod() {
        PodServer pod = server().answer(200, "{\"healthy\": true}");
        int threadsBefore = Thread.activeCount();
        IntStream.range(0, 200).forEach(i -> engine.start(target("many-" + i, "probe", pod.port(), 2, 2)));
        await().atMost(Duration.ofSeconds(60)).until(() -> transitions.size() == 200);
        assertThat(transitions).allMatch(t -> t.state() == PodHealthState.READY);
        assertThat(Thread.activeCount() - threadsBefore).as("threads added for 200 pods").isLessThan(20);
    }
}
