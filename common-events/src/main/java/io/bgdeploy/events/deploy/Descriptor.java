package io.bgdeploy.events.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deployment descriptor, field for field as the Amdatu Kubernetes Deployer defined it (same
 * JSON names, including the misspelt {@code additionHttpHeaders}, same defaults), so a descriptor
 * a team already has works unchanged. Defaults are filled in by the constructor; whether the values
 * make sense is {@link DescriptorValidator}'s job, so that every problem is reported at once.
 *
 * @param id            server-set
 * @param namespace     default {@code default}
 * @param appName       a DNS label
 * @param newVersion    a version, or {@code "#"} for the last deployed version + 1
 * @param replicas      default 1
 * @param deploymentType only {@code blue-green}, the default
 * @param frontend      host name the app is served under, optional
 * @param podspec       a Kubernetes PodSpec, kept as JSON so this module needs no Kubernetes model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Descriptor(
        String id,
        Instant created,
        Instant lastModified,
        String namespace,
        String appName,
        String newVersion,
        Integer replicas,
        String deploymentType,
        String frontend,
        Boolean redirectWww,
        Boolean useCompression,
        List<HttpHeaderEntry> additionHttpHeaders,
        Boolean useHealthCheck,
        String healthCheckPath,
        Integer healthCheckPort,
        String healthCheckType,
        Boolean ignoreHealthCheck,
        Boolean useStickySessions,
        Map<String, String> environment,
        List<ImagePullSecret> imagePullSecrets,
        List<Webhook> webhooks,
        ObjectNode podspec) {

    public static final String DEFAULT_NAMESPACE = "default";
    public static final String BLUE_GREEN = "blue-green";
    public static final String NEXT_VERSION = "#";
    public static final String HEALTH_CHECK_SIMPLE = "simple";
    public static final String HEALTH_CHECK_PROBE = "probe";
    public static final String DEFAULT_HEALTH_CHECK_PATH = "/health";

    public Descriptor {
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
        newVersion = newVersion == null ? NEXT_VERSION : newVersion;
        replicas = replicas == null ? 1 : replicas;
        deploymentType = deploymentType == null ? BLUE_GREEN : deploymentType;
        redirectWww = redirectWww != null && redirectWww;
        useCompression = useCompression != null && useCompression;
        additionHttpHeaders = additionHttpHeaders == null ? List.of() : List.copyOf(additionHttpHeaders);
        useHealthCheck = useHealthCheck != null && useHealthCheck;
        healthCheckPath = healthCheckPath == null ? DEFAULT_HEALTH_CHECK_PATH : healthCheckPath;
        healthCheckType = healthCheckType == null ? HEALTH_CHECK_SIMPLE : healthCheckType;
        ignoreHealthCheck = ignoreHealthCheck != null && ignoreHealthCheck;
        useStickySessions = useStickySessions != null && useStickySessions;
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** The same descriptor with the server-set fields replaced. */
    public Descriptor withIdentity(String id, Instant created, Instant lastModified) {
        return new Descriptor(id, created, lastModified, namespace, appName, newVersion, replicas,
                deploymentType, frontend, redirectWww, useCompression, additionHttpHeaders, useHealthCheck,
                healthCheckPath, healthCheckPort, healthCheckType, ignoreHealthCheck, useStickySessions,
                environment, imagePullSecrets, webhooks, podspec);
    }

    /** {@code <namespace>/<appName>}. */
    public String key() {
        return namespace + "/" + appName;
    }

    /** A response header to add, as the reference wrote it: {@code {"Header": ..., "Value": ...}}. */
    public record HttpHeaderEntry(@JsonProperty("Header") String header, @JsonProperty("Value") String value) {
    }

    /** A Kubernetes LocalObjectReference to an image pull secret. */
    public record ImagePullSecret(String name) {
    }

    /** A webhook key that may trigger a deployment of this descriptor. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Webhook(String key, String description) {
    }
}
