package io.bgdeploy.infra;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;

import java.nio.file.Path;
import java.util.Map;

/**
 * A descriptor of the sample app ({@code local-platform/sample-app/SampleApp.java}, run by the
 * Java source launcher) for the local platform: a new version on every deployment, a probe health
 * check, served behind a host name. The demo and the chaos run deploy it.
 */
public final class SampleAppDescriptor {

    private SampleAppDescriptor() {
    }

    /**
     * @param root        the checkout, where the sample app's source is
     * @param environment variables set in every pod besides the platform's own
     */
    public static String json(Path root, String namespace, String appName, String host, int replicas,
                              Map<String, String> environment) {
        Path app = root.resolve("local-platform/sample-app/SampleApp.java");
        ObjectNode d = EventCodec.mapper().createObjectNode();
        d.put("namespace", namespace);
        d.put("appName", appName);
        d.put("newVersion", "#");
        d.put("replicas", replicas);
        d.put("frontend", host);
        d.put("useHealthCheck", true);
        d.put("healthCheckPath", "/health");
        d.put("healthCheckPort", 8080);
        d.put("healthCheckType", "probe");
        if (!environment.isEmpty()) {
            ObjectNode env = d.putObject("environment");
            environment.forEach(env::put);
        }
        ObjectNode container = d.putObject("podspec").putArray("containers").addObject();
        container.put("name", appName);
        container.put("image", "bgdeploy/sample-app");
        ArrayNode command = container.putArray("command");
        command.add("java").add("-Xmx48m").add("-XX:TieredStopAtLevel=1").add(app.toString().replace("\\", "/"));
        container.putArray("ports").addObject().put("name", "http").put("containerPort", 8080);
        return d.toPrettyString();
    }
}
