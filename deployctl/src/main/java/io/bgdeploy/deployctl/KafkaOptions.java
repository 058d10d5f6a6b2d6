package io.bgdeploy.deployctl;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** How a command reaches Kafka. */
final class KafkaOptions {

    static final String BOOTSTRAP_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers. Default: $" + BOOTSTRAP_VARIABLE + ", else " + DEFAULT_BOOTSTRAP)
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties for TLS or SASL, e.g. security.protocol=SASL_SSL")
    Path kafkaConfig;

    String bootstrap(Terminal terminal) {
        return bootstrap != null ? bootstrap : terminal.env(BOOTSTRAP_VARIABLE, DEFAULT_BOOTSTRAP);
    }

    Properties clientConfig() throws IOException {
        Properties config = new Properties();
        if (kafkaConfig != null) {
            try (Reader r = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
                config.load(r);
            } catch (IOException e) {
                throw new IOException("Kafka client properties " + kafkaConfig + " cannot be read: " + e.getMessage(), e);
            }
        }
        return config;
    }
}
