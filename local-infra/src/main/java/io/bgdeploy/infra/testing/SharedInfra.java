package io.bgdeploy.infra.testing;

import io.bgdeploy.infra.EtcdServer;
import io.bgdeploy.infra.KafkaBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One Kafka broker and one etcd per test JVM, started on first use on free ports and stopped when
 * the JVM exits. Their files live under {@code target/infra-*} of the module under test.
 */
public final class SharedInfra {

    private static KafkaBroker kafka;
    private static EtcdServer etcd;

    private SharedInfra() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null || !kafka.process().isAlive()) {
            kafka = KafkaBroker.start(workDir("kafka"));
        }
        return kafka;
    }

    public static synchronized EtcdServer etcd() {
        if (etcd == null) {
            etcd = EtcdServer.start(workDir("etcd"));
        }
        return etcd;
    }

    /**
     * A fresh directory whose absolute path is at least {@code length} characters long (exactly
     * that long when the checkout leaves room), as a checkout deep in a CI workspace gives: whatever
     * runs from there must not depend on short paths.
     */
    public static Path workDirOfAtLeast(String name, int length) {
        Path dir = workDir(name);
        int remaining = length - dir.toString().length();
        while (remaining > 1) {
            int segment = remaining - 1 <= 100 ? remaining - 1 : 50;
            dir = dir.resolve("d".repeat(segment));
            remaining -= segment + 1;
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh directory under target/ (or the temp dir outside a Maven build). */
    public static Path workDir(String name) {
        try {
            Path base = Files.isDirectory(Path.of("target")) ? Path.of("target").toAbsolutePath() : Path.of(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base, "infra-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
