package io.bgdeploy.logshipper.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A stand-in for Graylog on a laptop: listens for GELF on TCP (NUL-framed) and UDP (gzip, zlib or
 * plain, chunked or not) and appends every message it receives as one JSON line to a file, so a
 * local run shows where the logs went. Not a Graylog replacement: no indexing, no search.
 */
public final class GelfFileSink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GelfFileSink.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final long CHUNK_WINDOW_NANOS = 5_000_000_000L;

    private final Path file;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final OutputStream out;
    private final AtomicLong received = new AtomicLong();
    private final Map<Long, byte[][]> chunks = new LinkedHashMap<>();
    private final Map<Long, Long> chunkStart = new LinkedHashMap<>();

    private GelfFileSink(Path file, ServerSocket tcp, DatagramSocket udp) throws IOException {
        this.file = file;
        this.tcp = tcp;
        this.udp = udp;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Starts listening; port 0 picks a free port. */
    public static GelfFileSink start(String bindAddress, int tcpPort, int udpPort, Path file) throws IOException {
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(bindAddress, tcpPort));
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(bindAddress, udpPort));
        udp.setReceiveBufferSize(4 * 1024 * 1024);
        GelfFileSink sink = new GelfFileSink(file, tcp, udp);
        daemon("gelf-sink-tcp", sink::acceptLoop);
        daemon("gelf-sink-udp", sink::udpLoop);
        LOG.infof("GELF sink listening on tcp://%s:%d and udp://%s:%d, writing JSON lines to %s", bindAddress,
                tcp.getLocalPort(), bindAddress, udp.getLocalPort(), file.toAbsolutePath());
        return sink;
    }

    public int tcpPort() {
        return tcp.getLocalPort();
    }

    public int udpPort() {
        return udp.getLocalPort();
    }

    public long received() {
        return received.get();
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket client = tcp.accept();
                daemon("gelf-sink-tcp-client", () -> readFrames(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void readFrames(Socket client) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (client; InputStream in = client.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == 0) {
                        frame.write(buffer, start, i - start);
                        write(frame.toByteArray());
                        frame.reset();
                        start = i + 1;
                    }
                }
                frame.write(buffer, start, n - start);
            }
        } catch (IOException e) {
            LOG.debugf("GELF TCP client gone: %s", e.getMessage());
        }
    }

    private void udpLoop() {
        byte[] buffer = new byte[65_536];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                datagram(Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength()));
            } catch (IOException e) {
                if (!udp.isClosed()) {
                    LOG.warnf("dropped a GELF datagram: %s", e.getMessage());
                }
            }
        }
    }

    private void datagram(byte[] data) throws IOException {
        if (data.length < 12 || data[0] != 0x1e || data[1] != 0x0f) {
            write(decompress(data));
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(data, 2, 10);
        long id = header.getLong();
        int seq = header.get() & 0xff;
        int count = header.get() & 0xff;
        if (count == 0 || count > 128 || seq >= count) {
            LOG.warnf("dropped GELF chunk %d/%d of message %d: at most 128 chunks", seq, count, id);
            return;
        }
        long now = System.nanoTime();
        chunkStart.entrySet().removeIf(e -> now - e.getValue() > CHUNK_WINDOW_NANOS && chunks.remove(e.getKey()) != null);
        byte[][] parts = chunks.computeIfAbsent(id, k -> new byte[count][]);
        chunkStart.putIfAbsent(id, now);
        if (parts.length != count) {
            return;
        }
        parts[seq] = Arrays.copyOfRange(data, 12, data.length);
        for (byte[] part : parts) {
            if (part == null) {
                return;
            }
        }
        chunks.remove(id);
        chunkStart.remove(id);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            whole.writeBytes(part);
        }
        write(decompress(whole.toByteArray()));
    }

    private static byte[] decompress(byte[] payload) throws IOException {
        if (payload.length > 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(payload))) {
                return in.readAllBytes();
            }
        }
        if (payload.length > 2 && (payload[0] & 0xff) == 0x78) {
            try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(payload))) {
                return in.readAllBytes();
            }
        }
        return payload;
    }

    /** Appends one message as a JSON line; anything that is not a JSON object is logged and skipped. */
    public void write(byte[] json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            LOG.warnf("skipped a GELF message that is not JSON: %s", e.getMessage());
            return;
        }
        if (node == null || !node.isObject() || !node.has("short_message") || !node.has("host")) {
            LOG.warn("skipped a GELF message without host or short_message");
            return;
        }
        byte[] line = (node + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(line);
                out.flush();
                received.incrementAndGet();
            } catch (IOException e) {
                LOG.warnf("cannot write to %s: %s", file, e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
        synchronized (out) {
            out.close();
        }
    }
}
