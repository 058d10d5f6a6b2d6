package io.bgdeploy.logshipper.config;

import io.bgdeploy.events.Topics;
import io.bgdeploy.logshipper.collector.Collector;
import io.bgdeploy.logshipper.collector.KafkaLogRecordPublisher;
import io.bgdeploy.logshipper.collector.Positions;
import io.bgdeploy.logshipper.delivery.GelfShipper;
import io.bgdeploy.logshipper.delivery.GelfTransports;
import io.bgdeploy.logshipper.delivery.ShipperStats;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.model.PodDirectory;
import io.bgdeploy.logshipper.source.DeadLetters;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.io.IOException;
import java.time.Duration;

/** Builds the framework-free parts of log-shipper from its settings, with their constructors, in one place. */
public final class Wiring {

    private Wiring() {
    }

    /** The shipping loop and what must be closed after it stopped. */
    public record Shipping(GelfShipper shipper, GelfTransport transport, KafkaProducer<String, byte[]> deadLetterProducer) {
    }

    /** The node collector and its producer. */
    public record Collecting(Collector collector, KafkaProducer<String, String> producer) {
    }

    public static GelfTransport transport(String gelfUrl, LogShipperConfig config) {
        LogShipperConfig.Shipper s = config.shipper();
        return GelfTransports.fromUrl(gelfUrl, new GelfTransports.Options(s.connectTimeout(), s.writeTimeout(),
                s.confirmDelay(), config.gelf().udpDatagramBytes(), s.httpConcurrency(), s.httpBatchBytes(), s.httpGzip(),
                s.httpAuthorization()));
    }

    public static GelfMapper mapper(LogShipperConfig config) {
        return new GelfMapper(new GelfMapper.Settings(config.gelf().maxMessageBytes(), config.gelf().stdoutLevel(),
                config.gelf().stderrLevel()));
    }

    public static Shipping shipping(LogShipperConfig config, KafkaClients kafka, String gelfUrl, ShipperStats stats) {
        LogShipperConfig.Shipper s = config.shipper();
        GelfTransport transport = transport(gelfUrl, config);
        KafkaProducer<String, byte[]> dlq = kafka.bytesProducer("log-shipper-dlq");
        GelfShipper shipper = new GelfShipper(kafka.consumer(s.groupId(), "log-shipper", s.maxPollRecords()),
                new DeadLetters(dlq, Topics.CONTAINER_LOGS_DLQ), mapper(config), transport,
                new GelfShipper.Settings(Topics.CONTAINER_LOGS, s.maxInFlightRecords(), s.maxInFlightBytes(),
                        s.pollTimeout(), s.initialBackoff(), s.maxBackoff()), stats);
        return new Shipping(shipper, transport, dlq);
    }

    /**
     * @param pods where the identity of a pod comes from; {@link PodDirectory#NONE} without a pod API
     */
    public static Collecting collecting(LogShipperConfig config, KafkaClients kafka, String node, PodDirectory pods)
            throws IOException {
        LogShipperConfig.Collector c = config.collector();
        KafkaProducer<String, String> producer = kafka.producer("log-shipper-collector-" + node);
        Duration labelWait = pods == PodDirectory.NONE ? Duration.ZERO : c.kubernetes().labelWait();
        Collector collector = new Collector(c.directory(), new Positions(c.positionsFile()),
                new KafkaLogRecordPublisher(producer, Topics.CONTAINER_LOGS, c.maxRecordBytes()), pods,
                new Collector.Settings(node, c.maxLineBytes(), labelWait));
        return new Collecting(collector, producer);
    }
}
