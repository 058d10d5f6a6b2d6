package io.bgdeploy.logshipper.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of log-shipper. The GELF destination itself is {@code graylog.gelf.url}
 * (env {@code GRAYLOG_GELF_URL}), outside this prefix because operators know it by that name.
 */
@ConfigMapping(prefix = "logshipper")
public interface LogShipperConfig {

    Shipper shipper();

    Gelf gelf();

    Collector collector();

    interface Shipper {
        /** Ships container-logs to Graylog; off for a collector-only process. */
        @WithDefault("true")
        boolean enabled();

        /** Kafka consumer group; instances in one group split the partitions. */
        @WithDefault("log-shipper")
        String groupId();

        /** Records one poll returns; also the largest HTTP batch when records arrive steadily. */
        @WithDefault("1000")
        int maxPollRecords();

        /**
         * Records polled but not settled before the consumer pauses. TCP and UDP settle a record a
         * confirm delay after it was written, so they need records/s x confirm-delay in flight:
         * 40 000 allows 160 000 records/s at 250 ms.
         */
        @WithDefault("40000")
        int maxInFlightRecords();

        @WithDefault("67108864")
        long maxInFlightBytes();

        @WithDefault("500ms")
        Duration pollTimeout();

        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Longest TCP write or HTTP request; a request unanswered by then is sent again. */
        @WithDefault("10s")
        Duration writeTimeout();

        /** TCP/UDP: how long after a write the connection is checked before the record counts as delivered. */
        @WithDefault("250ms")
        Duration confirmDelay();

        /** HTTP: requests in flight. */
        @WithDefault("4")
        int httpConcurrency();

        /** HTTP: most bytes of GELF JSON in one request (before gzip); the input's max_chunk_size must allow it. */
        @WithDefault("524288")
        int httpBatchBytes();

        /** HTTP: gzip the requests (Content-Encoding: gzip). */
        @WithDefault("true")
        boolean httpGzip();

        /**
         * HTTP: the value of the Authorization header of every request, when the GELF HTTP input
         * asks for one ("Authorization Header Name" Authorization); keep it in a secret.
         */
        Optional<String> httpAuthorization();
    }

    interface Gelf {
        /** Most UTF-8 bytes of log text per message; longer text is cut with a visible marker. */
        @WithDefault("32768")
        int maxMessageBytes();

        /** UDP datagram size including the 12-byte chunk header; 1420 fits an Ethernet MTU. */
        @WithDefault("1420")
        int udpDatagramBytes();

        /** Syslog level of stdout lines that state no level (6 = informational). */
        @WithDefault("6")
        int stdoutLevel();

        /** Syslog level of stderr lines that state no level (3 = error). */
        @WithDefault("3")
        int stderrLevel();
    }

    interface Collector {
        /** Tails the node's CRI log files and produces them to container-logs. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("/var/log/containers")
        Path directory();

        /** Where read positions are kept across restarts. */
        @WithDefault("/var/lib/log-shipper/positions.json")
        Path positionsFile();

        /** This node's name for the _node field; defaults to the host name. */
        Optional<String> node();

        @WithDefault("250ms")
        Duration pollInterval();

        /** Longest joined line (partial lines P..F); the rest of a longer line is dropped with a marker. */
        @WithDefault("1048576")
        int maxLineBytes();

        /**
         * Largest record produced to container-logs, key, headers and batch overhead included; a
         * longer line is cut with a marker to fit. Keep it equal to the topic's max.message.bytes.
         */
        @WithDefault("1048576")
        int maxRecordBytes();

        Kubernetes kubernetes();
    }

    interface Kubernetes {
        /**
         * Adds app, version and deploymentId from the labels of the pod a file belongs to, read
         * with one informer on this node's pods (RBAC: get, list, watch pods).
         */
        @WithDefault("false")
        boolean enabled();

        /** How long lines of a pod the informer has not seen yet wait for its labels before they go without. */
        @WithDefault("5s")
        Duration labelWait();
    }
}
