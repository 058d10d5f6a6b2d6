package io.bgdeploy.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Graylog's local stand-in writes what it gets over GELF HTTP (gzip, bulk), TCP and chunked UDP as JSON lines. */
class GelfFileReceiverTest {

    private static String gelf(String text) {
        return "{\"version\":\"1.1\",\"host\":\"web-1\",\"short_message\":\"" + text + "\",\"timestamp\":1795515330.123,\"_pod\":\"web-1\"}";
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void everyMessageReceivedOverAnyTransportBecomesOneJsonLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gelf.jsonl");
        try (GelfFileReceiver receiver = GelfFileReceiver.start(0, 0, 0, file)) {
            byte[] bulk = gzip((gelf("http one") + "\n" + gelf("http two")).getBytes(StandardCharsets.UTF_8));
            HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(receiver.httpUrl()))
                    .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bulk)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(answer.statusCode()).isEqualTo(202);

            URI tcp = URI.create(receiver.tcpUrl());
            try (Socket socket = new Socket(tcp.getHost(), tcp.getPort()); OutputStream out = socket.getOutputStream()) {
                out.write((gelf("tcp") + "\0").getBytes(StandardCharsets.UTF_8));
            }

            byte[] payload = gzip(gelf("udp in two chunks").getBytes(StandardCharsets.UTF_8));
            int half = payload.length / 2;
            URI udp = URI.create(receiver.udpUrl());
            try (DatagramSocket socket = new DatagramSocket()) {
                for (int seq = 0; seq < 2; seq++) {
                    int from = seq == 0 ? 0 : half;
                    int to = seq == 0 ? half : payload.length;
                    ByteBuffer chunk = ByteBuffer.allocate(12 + to - from).put((byte) 0x1e).put((byte) 0x0f).putLong(42L)
                            .put((byte) seq).put((byte) 2).put(payload, from, to - from);
                    socket.send(new DatagramPacket(chunk.array(), chunk.capacity(), InetAddress.getLoopbackAddress(), udp.getPort()));
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received() == 4);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(lines).anyMatch(l -> l.contains("\"short_message\":\"http one\"") && l.contains("\"_pod\":\"web-1\""))
                .anyMatch(l -> l.contains("http two")).anyMatch(l -> l.contains("\"tcp\"")).anyMatch(l -> l.contains("udp in two chunks"))
                .allMatch(l -> l.contains("\"timestamp\":1795515330.123"));
    }
}
