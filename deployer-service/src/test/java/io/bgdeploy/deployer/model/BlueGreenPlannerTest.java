package io.bgdeploy.deployer.model;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.HostName;
import io.bgdeploy.events.deploy.DeploymentStatus;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BlueGreenPlannerTest {

    static Descriptor parse(String json) throws Exception {
        return EventCodec.read(json.getBytes(), Descriptor.class);
    }

    private static Descriptor withPorts(String healthCheckPort, String ports) throws Exception {
        return parse("""
                {"appName": "app", %s "podspec": {"containers": [{"name": "c", "image": "i", "ports": [%s]}]}}
                """.formatted(healthCheckPort == null ? "" : "\"healthCheckPort\": " + healthCheckPort + ",", ports));
    }

    @Test
    void explicitHealthCheckPortWins() throws Exception {
        assertThat(BlueGreenPlanner.healthCheckPort(withPorts("7000",
                "{\"name\": \"healthcheck\", \"containerPort\": 8081}"))).isEqualTo(7000);
    }

    @Test
    void portNamedHealthcheckComesNext() throws Exception {
        assertThat(BlueGreenPlanner.healthCheckPort(withPorts(null,
                "{\"name\": \"http\", \"containerPort\": 8080}, {\"name\": \"healthcheck\", \"containerPort\": 8081}")))
                .isEqualTo(8081);
    }

    @Test
    void theOnlyPortThenNineNineNineNine() throws Exception {
        assertThat(BlueGreenPlanner.healthCheckPort(withPorts(null, "{\"containerPort\": 8080}"))).isEqualTo(8080);
        assertThat(BlueGreenPlanner.healthCheckPort(withPorts(null,
                "{\"containerPort\": 8080}, {\"containerPort\": 8443}"))).isEqualTo(9999);
    }

    @Test
    void theFrontendIsTheDescriptorsHostNameLowerCasedWithItsOptions() throws Exception {
        FrontendSpec frontend = BlueGreenPlanner.frontend(parse("""
                {"appName": "app", "frontend": "Shop.Example.COM", "redirectWww": true, "useStickySessions": true,
                 "additionHttpHeaders": [{"Header": "X-Served-By", "Value": "shop"}], "podspec": {"containers": []}}
                """));

        assertThat(frontend.host()).isEqualTo(HostName.of("shop.example.com"));
        assertThat(frontend.host().value()).isEqualTo("shop.example.com");
        assertThat(frontend.redirectWww()).isTrue();
        assertThat(frontend.stickySessions()).isTrue();
        assertThat(frontend.headers()).containsExactly(new HttpHeader("X-Served-By", "shop"));
        assertThat(BlueGreenPlanner.frontend(parse("{\"appName\": \"app\", \"podspec\": {\"containers\": []}}")))
                .isNull();
    }

    private static Deployment deployment(String version, DeploymentStatus status) {
        Instant now = Instant.now();
        return new Deployment("id-" + version, now, now, "default", "app", version, status, null, null, null, null, null,
                null, null, null);
    }

    @Test
    void nextVersionCountsFromTheHighestNonFailedVersion() {
        assertThat(BlueGreenPlanner.nextVersion(List.of())).isEqualTo("1");
        assertThat(BlueGreenPlanner.nextVersion(List.of(deployment("1", DeploymentStatus.UNDEPLOYED),
                deployment("2", DeploymentStatus.DEPLOYED), deployment("3", DeploymentStatus.FAILURE),
                deployment("blue", DeploymentStatus.DEPLOYED)))).isEqualTo("3");
        assertThat(BlueGreenPlanner.nextVersion(List.of(deployment("4", DeploymentStatus.DEPLOYING)))).isEqualTo("5");
    }

    @Test
    void versionsLeftRunningAreTheDeployedOnesOtherThanGreenAndBlue() {
        List<Deployment> history = List.of(deployment("1", DeploymentStatus.DEPLOYED), deployment("2", DeploymentStatus.UNDEPLOYED),
                deployment("3", DeploymentStatus.DEPLOYED), deployment("4", DeploymentStatus.FAILURE),
                deployment("5", DeploymentStatus.DEPLOYED), deployment("6", DeploymentStatus.DEPLOYING));

        assertThat(BlueGreenPlanner.leftRunning(history, "id-6", "id-5")).extracting(Deployment::version)
                .containsExactly("1", "3");
        assertThat(BlueGreenPlanner.leftRunning(history.subList(4, 6), "id-6", "id-5")).isEmpty();
        assertThat(BlueGreenPlanner.leftRunning(List.of(deployment("1", DeploymentStatus.DEPLOYING)), "id-1", null)).isEmpty();
    }

    @Test
    void environmentOrderLetsTheDescriptorOverrideEtcdAndTheDeployerOverrideBoth() throws Exception {
        Descriptor d = parse("""
                {"appName": "shop", "namespace": "team-a", "environment": {"DB": "descriptor", "APP_NAME": "mine"},
                 "podspec": {"containers": [{"name": "c", "image": "i"}]}}
                """);
        Map<String, String> env = BlueGreenPlanner.injectedEnvironment(d, "3", Map.of("DB", "etcd", "REGION", "eu"));
        assertThat(env).containsEntry("DB", "descriptor").containsEntry("REGION", "eu")
                .containsEntry("APP_NAME", "shop").containsEntry("APP_VERSION", "3").containsEntry("POD_NAMESPACE", "team-a");
    }

    @Test
    void workloadCarriesNamesLabelsAndPorts() throws Exception {
        Descriptor d = withPorts(null, "{\"name\": \"http\", \"containerPort\": 8080}");
        var spec = BlueGreenPlanner.workload("dep-1", d, "4", d.podspec(), Map.of());
        assertThat(spec.name()).isEqualTo("app-4");
        assertThat(spec.labels()).containsEntry("app", "app").containsEntry("version", "4")
                .containsEntry("managed-by", "bgdeploy-deployer");
        assertThat(spec.servingPort()).isEqualTo(8080);
        assertThat(BlueGreenPlanner.backendId("default", "app", "4")).isEqualTo("default-app-4");
    }
}
