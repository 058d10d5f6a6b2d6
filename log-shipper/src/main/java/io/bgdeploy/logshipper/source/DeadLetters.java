package io.bgdeploy.logshipper.source;

import io.bgdeploy.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends records that cannot be shipped (not a container log record, or refused by Graylog for
 * good) to the dead-letter topic, byte for byte, with the reason in the
 * {@value Topics#DLQ_REASON_HEADER} header (the header SmallRye's dead-letter strategy uses) and
 * where they came from. Waits for the broker's acknowledgement so that the offset of the original
 * record is committed only after its dead letter is safe.
 */
public final class DeadLetters {

    public static final String ORIGINAL_TOPIC_HEADER = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION_HEADER = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET_HEADER = "dead-letter-offset";
    /** Long enough for a parser's reason with its position, or an HTTP status with an excerpt of the answer. */
    static final int MAX_REASON_CHARS = 1000;

    private final Producer<String, byte[]> producer;
    private final String topic;

    public DeadLetters(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    public void send(ConsumerRecord<String, byte[]> record, String reason) throws DeadLetterException {
        ProducerRecord<String, byte[]> letter = new ProducerRecord<>(topic, null, record.key(), record.value());
        for (Header header : record.headers()) {
            letter.headers().add(header);
        }
        letter.headers().add(Topics.DLQ_REASON_HEADER, header(reason).getBytes(StandardCharsets.UTF_8));
        letter.headers().add(ORIGINAL_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        letter.headers().add(ORIGINAL_PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        letter.headers().add(ORIGINAL_OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(letter).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DeadLetterException("cannot write to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** The reason on one line, control characters escaped, at most {@value #MAX_REASON_CHARS} characters. */
    public static String header(String reason) {
        String text = reason == null ? "no reason given" : reason;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_REASON_CHARS; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX_REASON_CHARS && text.length() > MAX_REASON_CHARS) {
            out.append("...");
        }
        return out.toString();
    }

    /** The dead-letter topic did not take the record. */
    public static final class DeadLetterException extends Exception {
        public DeadLetterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
