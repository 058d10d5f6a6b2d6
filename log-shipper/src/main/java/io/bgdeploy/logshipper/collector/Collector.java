package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.LogFileName;
import io.bgdeploy.logshipper.model.LogRecordPublisher;
import io.bgdeploy.logshipper.model.PodDirectory;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The node collector: tails every CRI log file in a directory, turns lines into container log
 * records with the identity of their pod, and hands them to a {@link LogRecordPublisher}.
 * Positions are saved only after the publisher stored the records read up to them; if it fails,
 * the tailers are rebuilt from the saved positions and the same lines are read again (at least
 * once). Lines of a pod the {@link PodDirectory} does not know yet wait in their file, up to
 * {@link Settings#labelWait()}, so that a new pod's first lines carry its app and version too.
 * Not thread-safe: call {@link #pollOnce()} from one thread.
 */
public final class Collector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Collector.class);

    /**
     * @param node         this node's name, for every record
     * @param maxLineBytes longest joined line; the rest is cut with a marker
     * @param labelWait    how long lines of a pod the directory does not know wait for its identity
     */
    public record Settings(String node, int maxLineBytes, Duration labelWait) {
    }

    private final Path directory;
    private final Positions positions;
    private final LogRecordPublisher publisher;
    private final PodDirectory pods;
    private final Settings settings;
    private final Map<Path, FileTailer> tailers = new HashMap<>();
    private Map<String, Positions.Position> saved;

    public Collector(Path directory, Positions positions, LogRecordPublisher publisher, PodDirectory pods,
                     Settings settings) throws IOException {
        this.directory = directory;
        this.positions = positions;
        this.publisher = publisher;
        this.pods = pods;
        this.settings = settings;
        this.saved = positions.load();
    }

    /** One round: discover files, read what is new, send it, save positions. Returns the number of records sent. */
    public int pollOnce() throws IOException {
        discover();
        List<ContainerLogRecord> records = new ArrayList<>();
        long startedAt = System.nanoTime();
        for (FileTailer tailer : tailers.values()) {
            LogFileName name = tailer.name();
            var identity = pods.identity(name.namespace(), name.pod());
            if (identity.isEmpty() && startedAt - tailer.discoveredAt() < settings.labelWait().toNanos()) {
                continue;
            }
            try {
                tailer.poll(records, identity.orElse(null));
            } catch (IOException e) {
                LOG.warnf("cannot read %s: %s", tailer.path(), e.getMessage());
            }
        }
        if (!records.isEmpty()) {
            try {
                publisher.publish(records);
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
                    tailers.put(file, new FileTailer(file, name.get(), settings.node(), settings.maxLineBytes(),
                            saved.get(file.toString())));
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
