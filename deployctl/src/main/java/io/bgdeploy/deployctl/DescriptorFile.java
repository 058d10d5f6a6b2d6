package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.deploy.DescriptorValidator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads a descriptor file with the contract's strict rules, so a typo fails here and not in the deployer. */
public final class DescriptorFile {

    private DescriptorFile() {
    }

    /** A descriptor file that cannot be read or parsed; the message names the file and the problem. */
    public static final class UnreadableException extends Exception {
        public UnreadableException(String message) {
            super(message);
        }
    }

    public static Descriptor read(Path file, Optional<String> namespace) throws UnreadableException {
        return read(file, namespace, List.of());
    }

    /** Reads the file, applies the {@code --set} overrides to its JSON, then reads it strictly. */
    public static Descriptor read(Path file, Optional<String> namespace, List<String> overrides) throws UnreadableException {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UnreadableException("descriptor file " + file + " does not exist");
        } catch (IOException e) {
            throw new UnreadableException("descriptor file " + file + " cannot be read: " + e.getMessage());
        }
        if (!overrides.isEmpty()) {
            json = withOverrides(file.toString(), json, overrides);
        }
        return parse(file.toString(), json, namespace);
    }

    private static byte[] withOverrides(String name, byte[] json, List<String> overrides) throws UnreadableException {
        JsonNode tree;
        try {
            tree = EventCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw new UnreadableException("descriptor file " + name + " is not JSON: " + e.getMessage());
        }
        if (!(tree instanceof ObjectNode descriptor)) {
            throw new UnreadableException("descriptor file " + name + " holds no JSON object");
        }
        try {
            Overrides.apply(descriptor, overrides);
            return EventCodec.mapper().writeValueAsBytes(descriptor);
        } catch (Overrides.InvalidOverride e) {
            throw new UnreadableException(e.getMessage());
        } catch (IOException e) {
            throw new UnreadableException("descriptor file " + name + ": " + e.getMessage());
        }
    }

    /** Parses the JSON and moves it into {@code namespace} when one is given. */
    public static Descriptor parse(String name, byte[] json, Optional<String> namespace) throws UnreadableException {
        Descriptor d;
        try {
            d = EventCodec.read(json, Descriptor.class);
        } catch (MalformedEventException e) {
            throw new UnreadableException("descriptor file " + name + " is not a valid descriptor: " + e.getMessage());
        }
        if (d == null) {
            throw new UnreadableException("descriptor file " + name + " holds no descriptor");
        }
        return namespace.map(ns -> inNamespace(d, ns)).orElse(d);
    }

    /** Every problem the deployer would reject the descriptor for, as {@code field: message}. */
    public static List<String> problems(Descriptor d) {
        return DescriptorValidator.validate(d).stream().map(DescriptorValidator.Problem::toString).toList();
    }

    /** The same descriptor in another namespace; server-set fields are dropped, the deployer sets them. */
    static Descriptor inNamespace(Descriptor d, String namespace) {
        return new Descriptor(null, null, null, namespace, d.appName(), d.newVersion(), d.replicas(),
                d.deploymentType(), d.frontend(), d.redirectWww(), d.useCompression(), d.additionHttpHeaders(),
                d.useHealthCheck(), d.healthCheckPath(), d.healthCheckPort(), d.healthCheckType(), d.ignoreHealthCheck(),
                d.useStickySessions(), d.environment(), d.imagePullSecrets(), d.webhooks(), d.podspec());
    }
}
