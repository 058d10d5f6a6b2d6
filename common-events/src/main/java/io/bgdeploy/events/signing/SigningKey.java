package io.bgdeploy.events.signing;

import io.bgdeploy.events.Names;

import java.util.Arrays;
import java.util.Base64;

/**
 * A key that may sign deploy requests for one namespace: its id is {@code <namespace>/<name>}
 * (e.g. {@code test/ci}), and the name is who asks in the deployment's history.
 *
 * @param id     {@code <namespace>/<name>}
 * @param secret at least {@link RequestSignature#MIN_KEY_BYTES} bytes
 */
public record SigningKey(String id, byte[] secret) {

    public SigningKey {
        int slash = id == null ? -1 : id.indexOf('/');
        if (slash <= 0 || !Names.isNamespace(id.substring(0, slash)) || !id.substring(slash + 1).matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("key id '" + Names.printable(String.valueOf(id))
                    + "' is not <namespace>/<name> (lower-case letters, digits, '.', '_', '-'), e.g. test/ci");
        }
        if (secret == null || secret.length < RequestSignature.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("key " + id + " has " + (secret == null ? 0 : secret.length)
                    + " bytes; a key has at least " + RequestSignature.MIN_KEY_BYTES + " (openssl rand -base64 32)");
        }
        secret = secret.clone();
    }

    /** A key from its base64 or base64url text, as stored in a file or a secret. */
    public static SigningKey of(String id, String base64) {
        String text = base64 == null ? "" : base64.strip();
        byte[] secret;
        try {
            secret = text.contains("+") || text.contains("/") ? Base64.getDecoder().decode(text) : Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key " + id + " is not base64: " + e.getMessage());
        }
        return new SigningKey(id, secret);
    }

    /** The namespace this key may deploy to. */
    public String namespace() {
        return id.substring(0, id.indexOf('/'));
    }

    /** Who signs with it, as shown in the deployment's history. */
    public String name() {
        return id.substring(id.indexOf('/') + 1);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey k && k.id.equals(id) && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "SigningKey[" + id + "]";
    }
}
