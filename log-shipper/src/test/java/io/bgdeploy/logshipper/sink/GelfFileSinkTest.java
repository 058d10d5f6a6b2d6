package io.bgdeploy.logshipper.sink;

import io.bgdeploy.logshipper.delivery.GelfTransport;
import io.bgdeploy.logshipper.delivery.GelfTransports;
import io.bgdeploy.logshipper.gelf.GelfMapper;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The local demo sink writes what it gets over TCP and chunked UDP as JSON lines. */
class GelfFileSinkTest {

    @Test
    void writesEveryReceivedMessageAsAJsonLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gelf.jsonl");
        GelfMapper mapper = new GelfMapper(new GelfMapper.Settings(200_000, 6, 3));
        StringBuilder big = new StringBuilder();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 50_000; i++) {
            big.append((char) ('a' + random.nextInt(26))).append(random.nextInt(10));
        }
        try (GelfFileSink sink = GelfFileSink.start("127.0.0.1", 0, 0, file);
             GelfTransport tcp = GelfTransports.fromUrl("tcp://127.0.0.1:" + sink.tcpPort(), GelfTransports.Options.DEFAULTS);
             GelfTransport udp = GelfTransports.fromUrl("udp://127.0.0.1:" + sink.udpPort(), GelfTransports.Options.DEFAULTS)) {
            tcp.send(mapper.map(record("over tcp")));
            tcp.flush();
            udp.send(mapper.map(record("over udp " + big)));
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.received() == 2);
        }
        var lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines).anyMatch(l -> l.contains("\"short_message\":\"over tcp\"") && l.contains("\"_pod\":\"web-1\""));
        assertThat(lines.stream().filter(l -> l.contains("over udp " + big)).count()).isEqualTo(1);
        assertThat(lines.stream().filter(l -> l.contains("\"timestamp\":17")).count()).isEqualTo(2);
    }

    private static ContainerLogRecord record(String line) {
        return new ContainerLogRecord(Instant.now(), "stdout", line, "default", "web", "1", "web-1", "web", null, null);
    }
}
