package io.bgdeploy.events.signing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

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

    public Optional<SigningKey> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public int size() {
        return byId.size();
    }
}
