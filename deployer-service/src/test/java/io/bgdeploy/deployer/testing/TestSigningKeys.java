package io.bgdeploy.deployer.testing;

import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.events.signing.SigningKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The keys the deployer under test accepts ({@code %test.deployer.signing.keys-file}): {@code default/ci}
 * and {@code team-a/ci}.
 */
public final class TestSigningKeys {

    public static final Path FILE = Path.of("src/test/resources/signing-keys.properties").toAbsolutePath();

    private TestSigningKeys() {
    }

    /** The key {@code <namespace>/ci}. */
    public static SigningKey of(String namespace) {
        try {
            return SigningKeys.read(FILE).find(namespace + "/ci")
                    .orElseThrow(() -> new IllegalArgumentException("no test key for namespace " + namespace + " in " + FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
