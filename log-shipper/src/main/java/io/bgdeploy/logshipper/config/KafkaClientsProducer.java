package io.bgdeploy.logshipper.config;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/** Makes the application's {@code kafka.*} settings (the same the SmallRye channels get) the base of every Kafka client. */
public class KafkaClientsProducer {

    @Produces
    @Singleton
    KafkaClients kafkaClients(@Identifier("default-kafka-broker") Map<String, Object> settings) {
        return new KafkaClients(settings);
    }
}
