package io.bgdeploy.events.signing;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The keys registered with a deployer, by id. Read from a properties file of lines
 * {@code <namespace>/<name>=<base64 key>}, as mounted from a Kubernetes Secret or written by the
 * local run.
 */
public final class SigningKeys {

    private final Map<String, SigningKey> byId = new LinkedHashMap<>();

    public SigningKeys(Collection<SigningKey> keys) {
        for (SigningKey k : keys) {
            if (byId.put(k.id(), k) != null) {
                throw new IllegalArgumentException("key " + k.id() + " is registered twice");
            }
        }
    }

    public static SigningKeys of(SigningKey... keys) {
        return new SigningKeys(List.of(keys));
    }

    /** Keys from {@code id=base64} properties; a bad line fails with the key's id and the reason. */
    public static SigningKeys fromProperties(Properties properties) {
        return new SigningKeys(properties.stringPropertyNames().stream().sorted()
                .map(id -> SigningKey.of(id, properties.getProperty(id))).toList());
    }

    /**
     * Keys from a properties file of lines {@code <namespace>/<name>=<base64 key>} ({@code #}
     * starts a comment); a bad line fails naming the file, the key's id and the reason.
     */
    public static SigningKeys read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        try {
            return fromProperties(properties);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public Optional<SigningKey> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public int size() {
        return byId.size();
    }

    /** The namespaces that have at least one key, sorted. */
    public SortedSet<String> namespaces() {
        SortedSet<String> namespaces = new TreeSet<>();
        byId.values().forEach(k -> namespaces.add(k.namespace()));
        return namespaces;
    }
}
