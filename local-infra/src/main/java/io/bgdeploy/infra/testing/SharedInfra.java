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
