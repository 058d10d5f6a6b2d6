package io.bgdeploy.lbconfig.testing;

import org.jboss.logmanager.ExtLogRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every log record written in this JVM while it is open, to check what an operator would read. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture() {
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records whose formatted message contains {@code text}. */
    public List<LogRecord> containing(String text) {
        return records.stream().filter(r -> message(r).contains(text)).toList();
    }

    /** The records that carry an exception of type {@code type} anywhere in their cause chain. */
    public List<LogRecord> carrying(Class<? extends Throwable> type) {
        return records.stream().filter(r -> {
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }).toList();
    }

    public static String message(LogRecord r) {
        return r instanceof ExtLogRecord e ? e.getFormattedMessage() : String.valueOf(r.getMessage());
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
