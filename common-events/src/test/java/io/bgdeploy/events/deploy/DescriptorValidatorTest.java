package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DescriptorValidatorTest {

    static byte[] referenceDescriptor() throws IOException {
        try (InputStream in = DescriptorValidatorTest.class.getResourceAsStream("/reference/descriptor.json")) {
            return in.readAllBytes();
        }
    }

    static Descriptor reference(Consumer<ObjectNode> change) throws Exception {
        ObjectNode node = (ObjectNode) EventCodec.mapper().readTree(referenceDescriptor());
        change.accept(node);
        return EventCodec.read(EventCodec.mapper().writeValueAsBytes(node), Descriptor.class);
    }

    static List<String> problems(Consumer<ObjectNode> change) throws Exception {
        return DescriptorValidator.validate(reference(change)).stream().map(Object::toString).toList();
    }

    @Test
    void theReferenceDeployersExampleDescriptorIsReadAndValidUnchanged() throws Exception {
        Descriptor d = EventCodec.read(referenceDescriptor(), Descriptor.class);
        assertThat(DescriptorValidator.validate(d)).isEmpty();
        assertThat(d.appName()).isEqualTo("nginx-demo");
        assertThat(d.newVersion()).isEqualTo("#");
        assertThat(d.healthCheckPort()).isEqualTo(80);
        assertThat(d.podspec().at("/containers/0/image").asText()).isEqualTo("nginx");
    }

    @Test
    void defaultsAreTheReferenceDeployers() throws Exception {
        Descriptor d = EventCodec.read("""
                {"appName": "shop", "podspec": {"containers": [{"name": "shop", "image": "shop:1"}]}}
                """.getBytes(), Descriptor.class);
        assertThat(d.namespace()).isEqualTo("default");
        assertThat(d.replicas()).isEqualTo(1);
        assertThat(d.newVersion()).isEqualTo("#");
        assertThat(d.deploymentType()).isEqualTo("blue-green");
        assertThat(d.healthCheckType()).isEqualTo("simple");
        assertThat(d.useHealthCheck()).isFalse();
        assertThat(d.ignoreHealthCheck()).isFalse();
        assertThat(d.environment()).isEmpty();
        assertThat(DescriptorValidator.validate(d)).isEmpty();
    }

    @Test
    void oneClearMessagePerProblem() throws Exception {
        List<String> problems = problems(d -> {
            d.put("appName", "Nginx_Demo");
            d.put("frontend", "https://demo.example.com");
            d.put("replicas", 0);
            d.put("healthCheckType", "tcp");
            d.put("deploymentType", "canary");
        });
        assertThat(problems).containsExactlyInAnyOrder(
                "appName: 'Nginx_Demo' is not a DNS label: use lower-case letters, digits and '-', starting with a letter, at most 63 characters",
                "frontend: 'https://demo.example.com' contains '://': give the host name only, e.g. app.example.com",
                "replicas: 0 is less than 1: a deployment needs at least one replica",
                "healthCheckType: 'tcp' is not a health check type: use \"simple\" (2xx is healthy) or \"probe\" (JSON {\"healthy\": true})",
                "deploymentType: 'canary' is not supported: the only deployment type is \"blue-green\"");
    }

    @Test
    void valuesThatWouldReachTheProxyConfigAreChecked() throws Exception {
        List<String> problems = problems(d -> {
            d.put("frontend", "demo.example.com\n  bind :80");
            d.putArray("additionHttpHeaders").addObject().put("Header", "X-A").put("Value", "x\" \nhttp-request deny");
            d.put("healthCheckPath", "/health\"");
            d.put("healthCheckPort", 70000);
            d.putObject("environment").put("BAD-NAME", "v");
        });
        assertThat(problems).hasSize(5);
        assertThat(problems).allSatisfy(p -> assertThat(p).doesNotContain("\n"));
        assertThat(String.join("|", problems)).contains("frontend:", "additionHttpHeaders[0].Value:", "healthCheckPath:",
                "healthCheckPort: 70000", "environment: 'BAD-NAME'");
    }

    @Test
    void versionedNamesMustStayDnsLabels() throws Exception {
        assertThat(problems(d -> d.put("newVersion", "V1.2"))).singleElement().asString().startsWith("newVersion: 'V1.2' is not a version");
        assertThat(problems(d -> {
            d.put("appName", "a".repeat(60));
            d.put("newVersion", "12345");
        })).singleElement().asString().contains("longer than 63 characters");
    }

    @Test
    void podSpecNeedsContainers() throws Exception {
        assertThat(problems(d -> d.remove("podspec"))).containsExactly(
                "podspec: is required: a Kubernetes PodSpec with at least one container");
        assertThat(problems(d -> d.putObject("podspec").putArray("containers"))).containsExactly(
                "podspec.containers: needs at least one container");
    }

    @Test
    void unknownFieldsAreRejectedByNameNotIgnored() {
        assertThatThrownBy(() -> EventCodec.read("{\"appName\":\"x\",\"replica\":2}".getBytes(), Descriptor.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("unknown field 'replica'");
    }
}
