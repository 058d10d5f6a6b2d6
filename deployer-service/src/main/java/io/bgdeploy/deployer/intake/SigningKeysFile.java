package io.bgdeploy.deployer.intake;

import io.bgdeploy.events.signing.SigningKeys;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;

/**
 * The signing keys of {@code deployer.signing.keys-file} (lines {@code <namespace>/<name>=<base64 key>},
 * as mounted from a Kubernetes Secret). The file is read again when it changes, so a key is added,
 * rotated or revoked without a restart; a changed file that cannot be read leaves the keys as they
 * were, and says why once.
 */
public final class SigningKeysFile implements Supplier<SigningKeys> {

    private static final Logger LOG = Logger.getLogger(SigningKeysFile.class);

    private record Loaded(SigningKeys keys, FileTime modified, long size) {
    }

    private final Path file;
    private volatile Loaded loaded;
    /** The problem last logged, so that it is logged once. */
    private volatile String reported;

    private SigningKeysFile(Path file, Loaded loaded) {
        this.file = file;
        this.loaded = loaded;
    }

    /** Reads the file now; a file that is missing or wrong stops the deployer from starting, with the reason. */
    public static SigningKeysFile open(Path file) {
        try {
            Loaded loaded = load(file);
            describe(file, loaded.keys(), "signed deploy requests");
            return new SigningKeysFile(file, loaded);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("deployer.signing.keys-file " + file + " cannot be read: " + e.getMessage()
                    + " (one line <namespace>/<name>=<base64 key of at least 32 bytes> per key)", e);
        }
    }

    @Override
    public SigningKeys get() {
        Loaded current = loaded;
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            reportOnce("missing", "cannot be read (" + e.getMessage() + ")", current);
            return current.keys();
        }
        if (now.lastModifiedTime().equals(current.modified()) && now.size() == current.size()) {
            return current.keys();
        }
        synchronized (this) {
            if (loaded != current) {
                return loaded.keys();
            }
            try {
                Loaded next = load(file);
                loaded = next;
                reported = null;
                describe(file, next.keys(), "signing keys changed");
                return next.keys();
            } catch (IOException | IllegalArgumentException e) {
                reportOnce(now.lastModifiedTime().toString(), "changed but cannot be read (" + e.getMessage() + ")", current);
                return current.keys();
            }
        }
    }

    private void reportOnce(String problem, String message, Loaded kept) {
        if (!problem.equals(reported)) {
            reported = problem;
            LOG.warnf("deployer.signing.keys-file %s %s: the %d key(s) read before stay", file, message, kept.keys().size());
        }
    }

    private static Loaded load(Path file) throws IOException {
        BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
        return new Loaded(SigningKeys.read(file), before.lastModifiedTime(), before.size());
    }

    private static void describe(Path file, SigningKeys keys, String what) {
        if (keys.isEmpty()) {
            LOG.warnf("%s: %s holds no key, so every deploy request on Kafka is rejected (the REST API is not affected)",
                    what, file);
        } else {
            LOG.infof("%s: %d key(s) from %s for namespace(s) %s", what, keys.size(), file, keys.namespaces());
        }
    }
}
