package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The node collector: tails every CRI log file in a directory, turns lines into container log
 * records and hands them to a {@link RecordSink}. Positions are saved only after the sink
 * acknowledged the records read up to them; if the sink fails, the tailers are rebuilt from the
 * saved positions and the same lines are read again (at least once). Not thread-safe: call
 * {@link #pollOnce()} from one thread.
 */
public final class Collector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Collector.class);

    private final Path directory;
    private final Positions positions;
    private final RecordSink sink;
    private final String node;
    private final int maxLineBytes;
    private final Map<Path, FileTailer> tailers = new HashMap<>();
    private Map<String, Positions.Position> saved;

    public Collector(Path directory, Positions positions, RecordSink sink, String node, int maxLineBytes) throws IOException {
        this.directory = directory;
        this.positions = positions;
        this.sink = sink;
        this.node = node;
        this.maxLineBytes = maxLineBytes;
        this.saved = positions.load();
    }

    /** One round: discover files, read what is new, send it, save positions. Returns the number of records sent. */
    public int pollOnce() throws IOException {
        discover();
        List<ContainerLogRecord> records = new ArrayList<>();
        for (FileTailer tailer : tailers.values()) {
            try {
                tailer.poll(records);
            } catch (IOException e) {
                LOG.warnf("cannot read %s: %s", tailer.path(), e.getMessage());
            }
        }
        if (!records.isEmpty()) {
            try {
                sink.send(records);
            } catch (Exception e) {
                LOG.warnf("cannot produce %d log records (%s); reading them again from the last saved positions",
                        records.size(), e.getMessage());
                rewind();
                return 0;
            }
        }
        Map<String, Positions.Position> now = new HashMap<>();
        for (Iterator<FileTailer> it = tailers.values().iterator(); it.hasNext(); ) {
            FileTailer tailer = it.next();
            if (tailer.gone()) {
                tailer.close();
                it.remove();
            } else {
                now.put(tailer.path().toString(), tailer.safePosition());
            }
        }
        if (!now.equals(saved)) {
            positions.save(now);
            saved = now;
        }
        return records.size();
    }

    private void discover() throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.log")) {
            for (Path file : files) {
                if (tailers.containsKey(file)) {
                    continue;
                }
                var name = LogFileName.parse(file.getFileName().toString());
                if (name.isEmpty()) {
                    continue;
                }
                try {
                    tailers.put(file, new FileTailer(file, name.get(), node, maxLineBytes, saved.get(file.toString())));
                    LOG.infof("tailing %s (pod %s/%s, container %s)", file, name.get().namespace(), name.get().pod(),
                            name.get().container());
                } catch (IOException e) {
                    LOG.debugf("cannot open %s yet: %s", file, e.getMessage());
                }
            }
        }
    }

    private void rewind() throws IOException {
        close();
        saved = positions.load();
    }

    @Override
    public void close() throws IOException {
        for (FileTailer tailer : tailers.values()) {
            tailer.close();
        }
        tailers.clear();
    }
}
