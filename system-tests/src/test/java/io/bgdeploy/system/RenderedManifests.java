package io.bgdeploy.system;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One kustomize overlay of deploy/kubernetes rendered by {@code kubectl kustomize}, as
 * {@code kubectl apply} would receive it, loaded with the fabric8 model.
 */
record RenderedManifests(String overlay, List<HasMetadata> objects) {

    @Override
    public String toString() {
        return overlay;
    }

    /** Every overlay under deploy/kubernetes/overlays, rendered. */
    static List<RenderedManifests> overlays(Path root) {
        List<Path> directories;
        try (Stream<Path> s = Files.list(root.resolve("deploy/kubernetes/overlays"))) {
            directories = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("deploy/kubernetes/overlays cannot be listed", e);
        }
        return directories.stream().map(RenderedManifests::render).toList();
    }

    static RenderedManifests render(Path overlay) {
        String yaml = kustomize(overlay);
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.isBlank()) {
                continue;
            }
            HasMetadata object = serialization.unmarshal(document, HasMetadata.class);
            assertThat(object).as("a typed Kubernetes object in overlay %s:\n%s", overlay.getFileName(), document)
                    .isNotNull().isNotInstanceOf(GenericKubernetesResource.class);
            objects.add(object);
        }
        assertThat(objects).as("objects rendered from %s", overlay).isNotEmpty();
        return new RenderedManifests(overlay.getFileName().toString(), List.copyOf(objects));
    }

    private static String kustomize(Path overlay) {
        try {
            Path output = Files.createTempFile("kustomize-", ".yaml");
            Path errors = Files.createTempFile("kustomize-", ".err");
            try {
                Process process = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
                        .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
                assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("kubectl kustomize %s finished", overlay).isTrue();
                assertThat(process.exitValue()).as("kubectl kustomize %s: %s", overlay,
                        Files.readString(errors, StandardCharsets.UTF_8)).isZero();
                return Files.readString(output, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(output);
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new AssertionError("kubectl (with its built-in kustomize) is needed to render " + overlay, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())
                && Objects.equals(namespace, o.getMetadata().getNamespace())).findFirst();
    }

    /** Every pod template, by workload "Kind/name". */
    Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> result = new LinkedHashMap<>();
        all(Deployment.class).forEach(d -> result.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(d -> result.put("DaemonSet/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        return result;
    }

    String namespaceOf(String workload) {
        return objects.stream().filter(o -> workload.equals(o.getKind() + "/" + o.getMetadata().getName()))
                .findFirst().orElseThrow().getMetadata().getNamespace();
    }

    /** The Deployment that runs a service module. */
    Deployment deploymentOf(String module) {
        return all(Deployment.class).stream().filter(x -> x.getSpec().getTemplate().getSpec().getContainers().stream()
                .anyMatch(c -> moduleOf(c).filter(module::equals).isPresent())).findFirst().orElseThrow();
    }

    static List<Container> containers(PodSpec spec) {
        List<Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        return all;
    }

    /** The repository of an image: what comes before its tag (a registry's port is no tag). */
    static String repository(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(0, colon) : image;
    }

    /** The service module a container runs, from the last part of its image's repository. */
    static Optional<String> moduleOf(Container c) {
        String repository = repository(c.getImage());
        String name = repository.substring(repository.lastIndexOf('/') + 1);
        return DockerComposeFileTest.SERVICE_MODULES.contains(name) ? Optional.of(name) : Optional.empty();
    }
}
