package io.bgdeploy.logshipper.model;

import io.bgdeploy.events.logs.ContainerLogRecord;

import java.util.List;

/**
 * Where the node collector's records go (Kafka's container-logs in production). Returns only once
 * every record is stored; throws if any may not be, and the collector reads the lines again.
 */
public interface LogRecordPublisher {

    void publish(List<ContainerLogRecord> records) throws Exception;
}
