package io.bgdeploy.infra;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Graylog's stand-in for the local run and the end-to-end tests: takes GELF over HTTP (Graylog's
 * GELF HTTP input with bulk receiving: {@code POST /gelf}, newline-separated messages, gzip,
 * answered 202), TCP (NUL-framed) and UDP (gzip, zlib or plain, chunked or not) and appends every
 * message it receives as one JSON line to a file, so a laptop shows where the logs went. No
 * indexing, no search.
 */
public final class GelfFileReceiver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GelfFileReceiver.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final long CHUNK_WINDOW_NANOS = 5_000_000_000L;

    static {
        // The JDK server delays keep-alive answers by about 40 ms (Nagle against delayed ACK) without it.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final Path file;
    private final HttpServer http;
    private final ExecutorService httpThreads;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final OutputStream out;
    private final AtomicLong received = new AtomicLong();
    private final Map<Long, byte[][]> chunks = new LinkedHashMap<>();
    private final Map<Long, Long> chunkStart = new LinkedHashMap<>();

    private GelfFileReceiver(Path file, HttpServer http, ServerSocket tcp, DatagramSocket udp) throws IOException {
        this.file = file;
        this.http = http;
        this.tcp = tcp;
        this.udp = udp;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.httpThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gelf-receiver-http");
            t.setDaemon(true);
            return t;
        });
        http.createContext("/gelf", this::handle);
        http.setExecutor(httpThreads);
    }

    /**
     * Starts listening on the loopback address; port 0 picks a free one.
     *
     * @param httpPort GELF HTTP, {@code POST /gelf}
     * @param tcpPort  GELF TCP
     * @param udpPort  GELF UDP (may equal {@code httpPort} or {@code tcpPort}: another protocol)
     */
    public static GelfFileReceiver start(int httpPort, int tcpPort, int udpPort, Path file) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 64);
            ServerSocket tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress("127.0.0.1", tcpPort));
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort));
            udp.setReceiveBufferSize(4 * 1024 * 1024);
            GelfFileReceiver receiver = new GelfFileReceiver(file, http, tcp, udp);
            http.start();
            daemon("gelf-receiver-tcp", receiver::acceptLoop);
            daemon("gelf-receiver-udp", receiver::udpLoop);
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the GELF receiver (HTTP port " + httpPort + ", TCP port " + tcpPort
                    + ", UDP port " + udpPort + ")", e);
        }
    }

    /** What log-shipper's {@code graylog.gelf.url} should be to ship here over HTTP. */
    public String httpUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/gelf";
    }

    public String tcpUrl() {
        return "tcp://127.0.0.1:" + tcp.getLocalPort();
    }

    public String udpUrl() {
        return "udp://127.0.0.1:" + udp.getLocalPort();
    }

    public Path file() {
        return file;
    }

    /** Messages written to the file so far. */
    public long received() {
        return received.get();
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] payload = body.readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(payload))) {
                    payload = in.readAllBytes();
                }
            }
            int start = 0;
            for (int i = 0; i <= payload.length; i++) {
                if (i == payload.length || payload[i] == '\n') {
                    if (i > start) {
                        write(Arrays.copyOfRange(payload, start, i));
                    }
                    start = i + 1;
                }
            }
            exchange.sendResponseHeaders(202, -1);
        }
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket client = tcp.accept();
                daemon("gelf-receiver-tcp-client", () -> readFrames(client));
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
            LOG.fine(() -> "GELF TCP client gone: " + e.getMessage());
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
                    LOG.warning("dropped a GELF datagram: " + e.getMessage());
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
            LOG.warning("dropped GELF chunk " + seq + "/" + count + " of message " + id + ": at most 128 chunks");
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

    /** Appends one message as a JSON line; anything that is not a GELF JSON object is logged and skipped. */
    private void write(byte[] json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            LOG.warning("skipped a GELF message that is not JSON: " + e.getMessage());
            return;
        }
        if (node == null || !node.isObject() || !node.has("short_message") || !node.has("host")) {
            LOG.warning("skipped a GELF message without host or short_message");
            return;
        }
        byte[] line = (node + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(line);
                out.flush();
                received.incrementAndGet();
            } catch (IOException e) {
                LOG.warning("cannot write to " + file + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        http.stop(0);
        httpThreads.shutdownNow();
        tcp.close();
        udp.close();
        synchronized (out) {
            out.close();
        }
    }
}
