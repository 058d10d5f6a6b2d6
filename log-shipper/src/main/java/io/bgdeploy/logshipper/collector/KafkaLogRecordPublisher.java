package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.GelfTruncation;
import io.bgdeploy.logshipper.model.LogRecordPublisher;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Produces collected records to {@code container-logs} as CloudEvents, keyed by namespace/pod, and
 * waits until the broker has them all (the producer runs with {@code acks=all} and idempotence, and
 * retries on its own within {@code delivery.timeout.ms}).
 * <p>
 * A record must fit the topic: a line that would make it larger than {@code maxRecordBytes} is cut
 * with a visible marker before it is sent. If the broker still refuses a record as too large (the
 * topic's {@code max.message.bytes} is lower than {@code maxRecordBytes}), the limit is halved and
 * that record is cut and sent again: it is never read again forever, and never dropped.
 */
public final class KafkaLogRecordPublisher implements LogRecordPublisher {

    private static final Logger LOG = Logger.getLogger(KafkaLogRecordPublisher.class);
    private static final String SOURCE = "/log-shipper/collector";
    private static final String CONTENT_TYPE_HEADER = "content-type";
    private static final byte[] CONTENT_TYPE = EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    /** Room for the record batch header, the record's own header and varints. */
    static final int RECORD_OVERHEAD_BYTES = 512;
    /** The limit is never halved below this. */
    static final int MIN_RECORD_BYTES = 16 * 1024;
    private static final long ACK_TIMEOUT_SECONDS = 150;

    private final Producer<String, String> producer;
    private final String topic;
    private int maxRecordBytes;

    public KafkaLogRecordPublisher(Producer<String, String> producer, String topic, int maxRecordBytes) {
        if (maxRecordBytes < MIN_RECORD_BYTES) {
            throw new IllegalArgumentException("the record limit must be at least " + MIN_RECORD_BYTES + " bytes, was "
                    + maxRecordBytes);
        }
        this.producer = producer;
        this.topic = topic;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The current limit; lower than configured after the broker refused a record as too large. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    @Override
    public void publish(List<ContainerLogRecord> records) throws Exception {
        List<ContainerLogRecord> pending = records;
        while (!pending.isEmpty()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(pending.size());
            for (ContainerLogRecord record : pending) {
                acks.add(producer.send(producerRecord(record)));
            }
            producer.flush();
            List<ContainerLogRecord> tooLarge = new ArrayList<>();
            int largest = 0;
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RecordTooLargeException)) {
                        throw e;
                    }
                    tooLarge.add(pending.get(i));
                    largest = Math.max(largest, size(producerRecord(pending.get(i))));
                }
            }
            if (!tooLarge.isEmpty()) {
                lowerLimit(largest);
            }
            pending = tooLarge;
        }
    }

    private void lowerLimit(int refusedBytes) {
        if (maxRecordBytes <= MIN_RECORD_BYTES) {
            throw new IllegalStateException("the broker refuses records of " + refusedBytes + " bytes as too large; "
                    + "give topic " + topic + " max.message.bytes of at least " + MIN_RECORD_BYTES);
        }
        int limit = Math.max(MIN_RECORD_BYTES, Math.min(maxRecordBytes, refusedBytes) / 2);
        LOG.errorf("the broker refused a record of %d bytes on %s as too large: its max.message.bytes is lower than "
                + "logshipper.collector.max-record-bytes (%d); cutting records to %d bytes from now on. Make the two equal.",
                refusedBytes, topic, maxRecordBytes, limit);
        maxRecordBytes = limit;
    }

    /** The record as produced, its line cut with the marker if the record would not fit the limit. */
    ProducerRecord<String, String> producerRecord(ContainerLogRecord record) {
        EventEnvelope<ContainerLogRecord> event = EventEnvelope.of(SOURCE, record);
        ProducerRecord<String, String> produced = producerRecord(event.key(), EventCodec.encodeToString(event));
        int originalBytes = -1;
        ContainerLogRecord cut = record;
        while (size(produced) > maxRecordBytes) {
            if (originalBytes < 0) {
                originalBytes = GelfTruncation.utf8Length(record.line());
            }
            int lineBytes = GelfTruncation.utf8Length(cut.line());
            int budget = Math.max(0, lineBytes - (size(produced) - maxRecordBytes) - 64);
            cut = withLine(cut, GelfTruncation.truncate(cut.line(), budget, originalBytes));
            produced = producerRecord(event.key(), EventCodec.encodeToString(new EventEnvelope<>(event.specversion(),
                    event.id(), event.source(), event.type(), event.subject(), event.time(), event.datacontenttype(), cut)));
        }
        return produced;
    }

    private ProducerRecord<String, String> producerRecord(String key, String value) {
        ProducerRecord<String, String> pr = new ProducerRecord<>(topic, key, value);
        pr.headers().add(CONTENT_TYPE_HEADER, CONTENT_TYPE);
        return pr;
    }

    /** What the record takes in a batch of its own: key, value, header and overhead, in UTF-8 bytes. */
    static int size(ProducerRecord<String, String> record) {
        return GelfTruncation.utf8Length(record.key()) + GelfTruncation.utf8Length(record.value())
                + CONTENT_TYPE_HEADER.length() + CONTENT_TYPE.length + RECORD_OVERHEAD_BYTES;
    }

    private static ContainerLogRecord withLine(ContainerLogRecord r, String line) {
        return new ContainerLogRecord(r.timestamp(), r.stream(), line, r.namespace(), r.app(), r.version(), r.pod(),
                r.container(), r.node(), r.deploymentId());
    }
}
