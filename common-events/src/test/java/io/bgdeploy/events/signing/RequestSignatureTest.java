package io.bgdeploy.events.signing;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed deploy requests, and the ways a hostile client tries to get one accepted. */
class RequestSignatureTest {

    static final SigningKey TEST_CI = SigningKey.of("test/ci", "q0p9Yk8hG2b6mTz3vW1xR5sL7dN4cJ0aE8fU2iO6yKk");
    static final SigningKey PROD_CI = SigningKey.of("production/ci", "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg");
    static final SigningKeys KEYS = SigningKeys.of(TEST_CI, PROD_CI);

    static final byte[] REQUEST = ("{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/ci\",\"type\":\"io.bgdeploy.deploy.requested\","
            + "\"subject\":\"test/web\",\"data\":{\"requestId\":\"r-1\",\"descriptor\":{\"namespace\":\"test\",\"appName\":\"web\"}}}")
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void aRequestSignedWithItsNamespacesKeyIsVerifiedAndNamesTheSigner() throws Exception {
        String jws = RequestSignature.sign(TEST_CI, REQUEST);

        assertThat(jws).matches("[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+");
        SigningKey signer = RequestSignature.verifyFor(jws, REQUEST, "test", KEYS);
        assertThat(signer.id()).isEqualTo("test/ci");
        assertThat(signer.name()).isEqualTo("ci");
    }

    @Test
    void anUnsignedRequestIsRejected() {
        assertRejected(null, REQUEST, "test", "the request is not signed");
        assertRejected("  ", REQUEST, "test", "the request is not signed");
    }

    @Test
    void aSignatureWithAnUnregisteredOrWrongKeyIsRejected() {
        SigningKey impostor = SigningKey.of("test/ci", Base64.getEncoder().encodeToString(new byte[32]));
        assertRejected(RequestSignature.sign(impostor, REQUEST), REQUEST, "test", "does not match the request for key 'test/ci'");
        SigningKey unknown = SigningKey.of("test/intruder", Base64.getEncoder().encodeToString(new byte[32]));
        assertRejected(RequestSignature.sign(unknown, REQUEST), REQUEST, "test", "key 'test/intruder' is not registered");
    }

    @Test
    void anotherNamespacesKeyCannotDeployHere() {
        assertRejected(RequestSignature.sign(PROD_CI, REQUEST), REQUEST, "test",
                "key 'production/ci' may deploy to namespace production, not to test");
    }

    @Test
    void aRequestChangedAfterSigningIsRejected() {
        String jws = RequestSignature.sign(TEST_CI, REQUEST);
        byte[] tampered = new String(REQUEST, StandardCharsets.UTF_8).replace("\"appName\":\"web\"", "\"appName\":\"evil\"")
                .getBytes(StandardCharsets.UTF_8);
        assertRejected(jws, tampered, "test", "the request was changed after signing");
        byte[] reformatted = new String(REQUEST, StandardCharsets.UTF_8).replace(",", ", ").getBytes(StandardCharsets.UTF_8);
        assertRejected(jws, reformatted, "test", "does not match");
    }

    @Test
    void aSignatureReplayedUnderAnotherKeyIdIsRejected() {
        String jws = RequestSignature.sign(TEST_CI, REQUEST);
        String otherHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"HS256\",\"kid\":\"production/ci\"}".getBytes(StandardCharsets.UTF_8));
        String replayed = otherHeader + jws.substring(jws.indexOf('.'));
        assertRejected(replayed, REQUEST, "production", "does not match the request for key 'production/ci'");
    }

    @Test
    void malformedOrDowngradedSignaturesAreRejected() {
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"kid\":\"test/ci\"}".getBytes());
        assertRejected(none + "..", REQUEST, "test", "algorithm must be HS256, not none");
        String jws = RequestSignature.sign(TEST_CI, REQUEST);
        String[] parts = jws.split("\\.");
        assertRejected(parts[0] + ".eyJ4IjoxfQ." + parts[2], REQUEST, "test", "detached payload");
        assertRejected("not-a-jws", REQUEST, "test", "detached payload");
        assertRejected("%%%.." + parts[2], REQUEST, "test", "not base64url JSON");
        String crit = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"HS256\",\"kid\":\"test/ci\",\"b64\":false,\"crit\":[\"b64\"]}".getBytes());
        assertRejected(crit + ".." + parts[2], REQUEST, "test", "does not understand");
        assertRejected(parts[0] + "..", REQUEST, "test", "does not match");
    }

    @Test
    void keysAreReadFromPropertiesAndMustBeLongEnough() {
        Properties p = new Properties();
        p.setProperty("default/local", Base64.getEncoder().encodeToString(new byte[32]));
        assertThat(SigningKeys.fromProperties(p).find("default/local")).isPresent();

        assertThatThrownBy(() -> SigningKey.of("default/short", Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("has 16 bytes; a key has at least 32");
        assertThatThrownBy(() -> SigningKey.of("Default", Base64.getEncoder().encodeToString(new byte[32])))
                .hasMessageContaining("is not <namespace>/<name>");
    }

    private static void assertRejected(String jws, byte[] value, String namespace, String reason) {
        assertThatThrownBy(() -> RequestSignature.verifyFor(jws, value, namespace, KEYS))
                .isInstanceOf(RequestSignature.InvalidSignatureException.class).hasMessageContaining(reason);
    }
}
