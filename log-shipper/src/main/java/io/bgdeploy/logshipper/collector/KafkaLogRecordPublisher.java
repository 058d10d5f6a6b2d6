package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Produces collected records to {@code container-logs} as CloudEvents, keyed by namespace/pod, and waits for the acks. */
public final class KafkaRecordSink implements RecordSink {

    private static final String SOURCE = "/log-shipper/collector";

    private final Producer<String, String> producer;
    private final String topic;

    public KafkaRecordSink(Producer<String, String> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void send(List<ContainerLogRecord> records) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ContainerLogRecord record : records) {
            EventEnvelope<ContainerLogRecord> event = EventEnvelope.of(SOURCE, record);
            ProducerRecord<String, String> pr = new ProducerRecord<>(topic, event.key(), EventCodec.encodeToString(event));
            pr.headers().add("content-type", EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
            acks.add(producer.send(pr));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }
}
