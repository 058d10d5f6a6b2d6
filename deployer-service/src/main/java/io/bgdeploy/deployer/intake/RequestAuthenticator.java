package io.bgdeploy.deployer.intake;

import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.DeployRequested;
import io.bgdeploy.events.signing.RequestSignature;
import io.bgdeploy.events.signing.SigningKey;
import io.bgdeploy.events.signing.SigningKeys;

import java.util.List;
import java.util.function.Supplier;

/**
 * Who asked for a deploy request that came over Kafka. A request deploys only with exactly one
 * signature (record header {@value RequestSignature#HEADER}) over the record value as received,
 * made with a key registered for the namespace of its descriptor (see {@link RequestSignature}).
 * The requester is the key's id; the request's own {@code requestedBy} (what the signer says of
 * itself, such as the CI job's URL) follows it in parentheses. Pure: no Kafka, no framework.
 */
public final class RequestAuthenticator {

    /** A request that may not deploy; the message is the reason, for the rejection and the DLQ. */
    public static final class NotAuthenticated extends Exception {
        NotAuthenticated(String message) {
            super(message);
        }
    }

    private final Supplier<SigningKeys> keys;

    /** @param keys the registered keys, asked for each request (so that a rotated key file applies at once) */
    public RequestAuthenticator(Supplier<SigningKeys> keys) {
        this.keys = keys;
    }

    /**
     * The requester of a verified request.
     *
     * @param signatures every value of the signature header of the record, in order
     * @param value      the record value exactly as received
     * @param request    the request decoded from {@code value}
     */
    public String requester(List<String> signatures, byte[] value, DeployRequested request) throws NotAuthenticated {
        if (signatures.size() > 1) {
            throw new NotAuthenticated("deploy request not authenticated: it carries " + signatures.size()
                    + " signatures in the header " + RequestSignature.HEADER + ": send exactly one");
        }
        SigningKeys registered = keys.get();
        SigningKey key;
        try {
            key = RequestSignature.verifyFor(signatures.isEmpty() ? null : signatures.get(0), value,
                    request.descriptor().namespace(), registered);
        } catch (RequestSignature.InvalidSignatureException e) {
            throw new NotAuthenticated("deploy request not authenticated: " + e.getMessage()
                    + (registered.isEmpty() ? " (this deployer has no signing keys: set deployer.signing.keys-file)" : ""));
        }
        String said = request.requestedBy();
        return said == null || said.isBlank() ? key.id() : key.id() + " (" + Names.printable(said.strip()) + ")";
    }
}
