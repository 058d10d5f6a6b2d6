package io.bgdeploy.events.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.Names;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * The signature of a deploy request: a JWS (RFC 7515) in compact serialization with a detached
 * payload (RFC 7515 appendix F), HMAC-SHA256 ({@code "alg":"HS256"}) with a key registered for the
 * request's namespace and named by {@code kid}. The signed payload is the record value exactly as
 * sent, the whole CloudEvent in bytes: nothing has to be re-serialized to check it, and id,
 * subject, time and data are all covered. It travels in the record header {@link #HEADER}.
 * <p>
 * Pure JDK crypto; the comparison of MACs takes constant time.
 */
public final class RequestSignature {

    /** The Kafka record header that carries the JWS. */
    public static final String HEADER = "bgdeploy-signature";
    public static final String ALGORITHM = "HS256";
    /** A key must have at least this many bytes (RFC 7518 3.2: at least the hash size). */
    public static final int MIN_KEY_BYTES = 32;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();

    private RequestSignature() {
    }

    /** A signature that does not hold; the message says why, for the rejection and the DLQ. */
    public static final class InvalidSignatureException extends Exception {
        public InvalidSignatureException(String message) {
            super(message);
        }
    }

    /** The JWS for {@code value} (the record value's bytes), signed with {@code key}. */
    public static String sign(SigningKey key, byte[] value) {
        String header = B64.encodeToString(("{\"alg\":\"" + ALGORITHM + "\",\"kid\":\"" + key.id() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        return header + ".." + B64.encodeToString(mac(key.secret(), signingInput(header, value)));
    }

    /**
     * Checks {@code jws} over {@code value} and returns the key that signed it.
     *
     * @param keys where a key id is looked up
     */
    public static SigningKey verify(String jws, byte[] value, SigningKeys keys) throws InvalidSignatureException {
        if (jws == null || jws.isBlank()) {
            throw new InvalidSignatureException("the request is not signed: add a JWS in the record header " + HEADER
                    + " (deployctl and examples/ci/deploy-with-kcat.sh sign with the key of the namespace)");
        }
        String[] parts = jws.strip().split("\\.", -1);
        if (parts.length != 3 || !parts[1].isEmpty()) {
            throw new InvalidSignatureException("the signature is not a JWS with a detached payload (header..signature)");
        }
        JsonNode header;
        try {
            header = EventCodec.mapper().readTree(B64_DECODE.decode(parts[0]));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidSignatureException("the signature's header is not base64url JSON");
        }
        if (!(header instanceof ObjectNode) || !ALGORITHM.equals(header.path("alg").asText(null))) {
            throw new InvalidSignatureException("the signature's algorithm must be " + ALGORITHM + ", not "
                    + Names.printable(header == null ? "none" : header.path("alg").asText("none")));
        }
        if (header.has("crit") || header.has("b64")) {
            throw new InvalidSignatureException("the signature's header has parameters this deployer does not understand");
        }
        String kid = header.path("kid").asText(null);
        if (kid == null || kid.isBlank()) {
            throw new InvalidSignatureException("the signature names no key (kid)");
        }
        Optional<SigningKey> key = keys.find(kid);
        if (key.isEmpty()) {
            throw new InvalidSignatureException("key '" + Names.printable(kid) + "' is not registered");
        }
        byte[] given;
        try {
            given = B64_DECODE.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidSignatureException("the signature is not base64url");
        }
        byte[] expected = mac(key.get().secret(), signingInput(parts[0], value));
        if (!MessageDigest.isEqual(expected, given)) {
            throw new InvalidSignatureException("the signature does not match the request for key '"
                    + Names.printable(kid) + "': it was signed with another key, or the request was changed after signing");
        }
        return key.get();
    }

    /**
     * Checks {@code jws} over {@code value} and that its key may deploy to {@code namespace} (the
     * namespace of the request's descriptor); returns the key.
     */
    public static SigningKey verifyFor(String jws, byte[] value, String namespace, SigningKeys keys)
            throws InvalidSignatureException {
        SigningKey key = verify(jws, value, keys);
        if (!key.namespace().equals(namespace)) {
            throw new InvalidSignatureException("key '" + key.id() + "' may deploy to namespace " + key.namespace()
                    + ", not to " + Names.printable(String.valueOf(namespace)) + ": sign with a key of " + Names.printable(String.valueOf(namespace)));
        }
        return key;
    }

    /** JWS signing input with a detached, base64url-encoded payload: ASCII(header) '.' BASE64URL(payload). */
    private static byte[] signingInput(String encodedHeader, byte[] value) {
        return (encodedHeader + "." + B64.encodeToString(value)).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] mac(byte[] secret, byte[] input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
