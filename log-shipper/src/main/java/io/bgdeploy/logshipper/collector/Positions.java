package io.bgdeploy.logshipper.collector;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Read positions of the tailed files, kept in a small JSON file written atomically (temp file +
 * rename), so that a restarted collector resumes where the last acknowledged record ended.
 */
public final class Positions {

    /** Where reading a file resumes: the file's identity (device and inode) and a byte offset. */
    public record Position(String fileKey, long offset) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public Positions(Path file) {
        this.file = file;
    }

    public Map<String, Position> load() throws IOException {
        if (!Files.exists(file)) {
            return new HashMap<>();
        }
        return new HashMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, Position>>() {
        }));
    }

    public void save(Map<String, Position> positions) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), positions);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
