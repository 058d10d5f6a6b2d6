package io.bgdeploy.logshipper.collector;

import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.logshipper.model.PodDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Real files in a temporary directory; the publisher is a list. */
class CollectorTest {

    private static final String FILE = "cart-3-7f9c_shop_app-0123456789abcdef.log";

    @TempDir
    Path dir;
    Path logs;
    Path positions;
    final List<ContainerLogRecord> received = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        logs = Files.createDirectories(dir.resolve("containers"));
        positions = dir.resolve("positions.json");
    }

    private Collector collector() throws IOException {
        return new Collector(logs, new Positions(positions), received::addAll, PodDirectory.NONE, settings(1024 * 1024));
    }

    private static Collector.Settings settings(int maxLineBytes) {
        return new Collector.Settings("node-1", maxLineBytes, Duration.ZERO);
    }

    private void append(Path file, String... lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String cri(int second, String stream, String tag, String text) {
        return String.format("2026-11-24T10:15:%02d.123456789Z %s %s %s", second, stream, tag, text);
    }

    private List<String> texts() {
        return received.stream().map(ContainerLogRecord::line).toList();
    }

    @Test
    void partialLinesAndARotationInTheMiddleAreReadCompletelyAndInOrder() throws IOException {
        Path file = logs.resolve(FILE);
        try (Collector collector = collector()) {
            append(file, cri(1, "stdout", "F", "line 1"), cri(2, "stdout", "P", "joined "));
            collector.pollOnce();
            assertThat(texts()).containsExactly("line 1");

            append(file, cri(2, "stderr", "F", "an error between the parts"), cri(2, "stdout", "P", "from "),
                    cri(2, "stdout", "F", "three parts"), cri(3, "stdout", "F", "line 3"));
            Path rotated = logs.resolve(FILE + ".20261124-101503");
            Files.move(file, rotated);
            append(rotated, cri(4, "stdout", "P", "split across "));
            append(file, cri(4, "stdout", "F", "the rotation"), cri(5, "stdout", "F", "line 5"));
            collector.pollOnce();
            assertThat(texts()).containsExactly("line 1", "an error between the parts", "joined from three parts",
                    "line 3", "split across the rotation", "line 5");

            Files.copy(file, logs.resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            Files.write(file, new byte[0]);
            append(file, cri(6, "stdout", "F", "line 6"));
            collector.pollOnce();
        }
        assertThat(texts()).containsExactly("line 1", "an error between the parts", "joined from three parts",
                "line 3", "split across the rotation", "line 5", "line 6");
        ContainerLogRecord first = received.get(0);
        assertThat(first.namespace()).isEqualTo("shop");
        assertThat(first.pod()).isEqualTo("cart-3-7f9c");
        assertThat(first.container()).isEqualTo("app");
        assertThat(first.node()).isEqualTo("node-1");
        assertThat(first.timestamp()).hasToString("2026-11-24T10:15:01.123456789Z");
        assertThat(received.get(1).stream()).isEqualTo("stderr");
        assertThat(received.get(2).timestamp()).hasToString("2026-11-24T10:15:02.123456789Z");
    }

    @Test
    void aRestartResumesWithoutLossOrDuplicates() throws IOException {
        Path file = logs.resolve(FILE);
        append(file, cri(1, "stdout", "F", "before 1"), cri(1, "stdout", "F", "before 2"), cri(2, "stdout", "P", "half "));
        try (Collector first = collector()) {
            first.pollOnce();
        }
        assertThat(texts()).containsExactly("before 1", "before 2");

        append(file, cri(2, "stdout", "F", "and half"), cri(3, "stdout", "F", "after"));
        try (Collector second = collector()) {
            second.pollOnce();
        }
        assertThat(texts()).containsExactly("before 1", "before 2", "half and half", "after");
    }

    @Test
    void linesThePublisherDidNotStoreAreReadAgain() throws IOException {
        Path file = logs.resolve(FILE);
        append(file, cri(1, "stdout", "F", "one"), cri(2, "stdout", "F", "two"));
        boolean[] fail = {true};
        try (Collector collector = new Collector(logs, new Positions(positions), records -> {
            if (fail[0]) {
                fail[0] = false;
                throw new IllegalStateException("broker unreachable");
            }
            received.addAll(records);
        }, PodDirectory.NONE, settings(1024 * 1024))) {
            assertThat(collector.pollOnce()).isZero();
            collector.pollOnce();
        }
        assertThat(texts()).containsExactly("one", "two");
    }

    @Test
    void anEndlessPartialLineIsCutWithTheMarker() throws IOException {
        Path file = logs.resolve(FILE);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            parts.add(cri(1, "stdout", "P", "x".repeat(1000)));
        }
        parts.add(cri(1, "stdout", "F", "end"));
        append(file, parts.toArray(String[]::new));
        try (Collector collector = new Collector(logs, new Positions(positions), received::addAll, PodDirectory.NONE, settings(4096))) {
            collector.pollOnce();
        }
        assertThat(texts()).hasSize(1);
        assertThat(texts().get(0)).startsWith("xxxx").contains("truncated by log-shipper");
        assertThat(texts().get(0).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    }
}
