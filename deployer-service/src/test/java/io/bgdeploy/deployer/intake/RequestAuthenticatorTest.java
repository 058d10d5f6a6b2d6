package io.bgdeploy.deployer.intake;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.deploy.Descriptor;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.events.signing.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who asked for a Kafka deploy request: the key that signed it, and the keys file read again when it changes. */
class RequestAuthenticatorTest {

    static final SigningKey TEST_CI = key("test/ci", 1);

    static SigningKey key(String id, int fill) {
        byte[] secret = new byte[32];
        java.util.Arrays.fill(secret, (byte) fill);
        return SigningKey.of(id, Base64.getEncoder().encodeToString(secret));
    }

    static DeployRequested request(String requestedBy) throws Exception {
        Descriptor d = EventCodec.read("""
                {"namespace": "test", "appName": "web", "podspec": {"containers": [{"name": "web", "image": "nginx"}]}}
                """.getBytes(StandardCharsets.UTF_8), Descriptor.class);
        return new DeployRequested("r-1", requestedBy, d);
    }

    static byte[] value(DeployRequested request) {
        return EventCodec.encode(EventEnvelope.of("/ci", request));
    }

    @Test
    void theRequesterIsTheSigningKeyFollowedByWhatTheRequestSaysOfItself() throws Exception {
        RequestAuthenticator authenticator = new RequestAuthenticator(() -> SigningKeys.of(TEST_CI));
        for (var c : List.of(new String[] {"https://ci.example.com/jobs/812", "test/ci (https://ci.example.com/jobs/812)"},
                new String[] {"job\n7", "test/ci (job\\x0a7)"}, new String[] {"  ", "test/ci"}, new String[] {null, "test/ci"})) {
            DeployRequested request = request(c[0]);
            byte[] value = value(request);
            assertThat(authenticator.requester(List.of(RequestSignature.sign(TEST_CI, value)), value, request)).isEqualTo(c[1]);
        }
    }

    @Test
    void aRequestWithTwoSignaturesOrWithoutRegisteredKeysIsNotAuthenticated() throws Exception {
        DeployRequested request = request("ci");
        byte[] value = value(request);
        String jws = RequestSignature.sign(TEST_CI, value);

        assertThatThrownBy(() -> new RequestAuthenticator(() -> SigningKeys.of(TEST_CI)).requester(List.of(jws, jws), value, request))
                .isInstanceOf(RequestAuthenticator.NotAuthenticated.class)
                .hasMessage("deploy request not authenticated: it carries 2 signatures in the header bgdeploy-signature: send exactly one");
        assertThatThrownBy(() -> new RequestAuthenticator(SigningKeys::of).requester(List.of(jws), value, request))
                .isInstanceOf(RequestAuthenticator.NotAuthenticated.class)
                .hasMessage("deploy request not authenticated: key 'test/ci' is not registered"
                        + " (this deployer has no signing keys: set deployer.signing.keys-file)");
    }

    @Test
    void aChangedKeysFileAppliesToTheNextRequestAndABrokenOneKeepsTheKeysReadBefore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("signing-keys.properties");
        write(file, "test/ci=" + Base64.getEncoder().encodeToString(TEST_CI.secret()) + "\n", 1);
        SigningKeysFile keys = SigningKeysFile.open(file);
        RequestAuthenticator authenticator = new RequestAuthenticator(keys);
        DeployRequested request = request(null);
        byte[] value = value(request);
        assertThat(authenticator.requester(List.of(RequestSignature.sign(TEST_CI, value)), value, request)).isEqualTo("test/ci");

        SigningKey rotated = key("test/ci-2", 2);
        write(file, "test/ci-2=" + Base64.getEncoder().encodeToString(rotated.secret()) + "\n", 2);
        assertThat(authenticator.requester(List.of(RequestSignature.sign(rotated, value)), value, request)).isEqualTo("test/ci-2");
        assertThatThrownBy(() -> authenticator.requester(List.of(RequestSignature.sign(TEST_CI, value)), value, request))
                .hasMessageContaining("key 'test/ci' is not registered");

        write(file, "test/short=AAAA\n", 3);
        assertThat(keys.get().find("test/ci-2")).as("the keys read before stay").isPresent();
        Files.delete(file);
        assertThat(keys.get().find("test/ci-2")).isPresent();
    }

    @Test
    void aKeysFileThatCannotBeReadStopsTheDeployerFromStartingWithTheReason(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SigningKeysFile.open(dir.resolve("missing.properties")))
                .hasMessageContaining("deployer.signing.keys-file " + dir.resolve("missing.properties") + " cannot be read");
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "production=" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        assertThatThrownBy(() -> SigningKeysFile.open(bad)).hasMessageContaining("key id 'production' is not <namespace>/<name>");
    }

    /** Writes the file with a distinct modification time, as a rotated Secret would appear. */
    private static void write(Path file, String content, int generation) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(generation)));
    }
}
