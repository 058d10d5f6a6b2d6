package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;

import java.util.List;

/** Where collected records go; returns only once every record is safely stored (Kafka acknowledged). */
public interface RecordSink {

    void send(List<ContainerLogRecord> records) throws Exception;
}
