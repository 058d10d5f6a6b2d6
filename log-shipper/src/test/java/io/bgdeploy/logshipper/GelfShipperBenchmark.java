package io.bgdeploy.logshipper;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.logshipper.config.KafkaClients;
import io.bgdeploy.logshipper.delivery.GelfShipper;
import io.bgdeploy.logshipper.delivery.GelfTransports;
import io.bgdeploy.logshipper.delivery.ShipperStats;
import io.bgdeploy.logshipper.model.GelfMapper;
import io.bgdeploy.logshipper.model.GelfTransport;
import io.bgdeploy.logshipper.source.ContainerLogDecoder;
import io.bgdeploy.logshipper.source.DeadLetters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Records per second from Kafka to GELF, in one run: the ceiling (a plain consumer that does
 * nothing with what it reads), measured before and after the shipper (its mean is the ceiling;
 * an unmeasured pass first warms the broker and the client), and the shipper over HTTP (bulk,
 * gzip) and TCP with several bounds of records in flight
 * ({@code -Dbenchmark.maxInFlight=1000,2500,10000}) and UDP (the default bound), each reading the
 * whole topic with its own consumer group ({@code -Dbenchmark.transports=http,tcp} runs only those). The receivers only count
 * messages (newlines of the decompressed bodies, NUL bytes, datagrams) so that the figures are the
 * shipper's. CPU: the CPU time of this JVM per record (the broker runs in its own process), which
 * waiting for a core on a loaded machine does not inflate. Heap: the highest used heap sampled every 20 ms (garbage included) and the highest
 * heap left after a collection (what was live). Run with
 * {@code mvn -B -ntp -pl log-shipper -am test -Dtest=GelfShipperBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsurefire.argLine="-Xmx256m -XX:+UseSerialGC"} to hold the shipper to a 256 MB heap.
 */
class GelfShipperBenchmark {

    private static final int RECORDS = Integer.getInteger("benchmark.records", 200_000);
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final GelfShipper.Settings DEFAULTS = GelfShipper.Settings.defaults("bench");
    private static final int DEFAULT_IN_FLIGHT = DEFAULTS.maxInFlightRecords();
    private static final List<Integer> MAX_IN_FLIGHT = Arrays.stream(System.getProperty("benchmark.maxInFlight",
            "2500,10000," + DEFAULT_IN_FLIGHT).split(",")).map(String::trim).map(Integer::valueOf).distinct().toList();
    private static final Set<String> TRANSPORTS = Arrays.stream(System.getProperty("benchmark.transports", "http,tcp,udp")
            .split(",")).map(String::trim).collect(Collectors.toSet());

    private final String bootstrap = SharedInfra.kafka().bootstrapServers();
    private final KafkaClients kafka = KafkaClients.of(bootstrap);
    private final String topic = "bench-logs-" + System.nanoTime();

    @Test
    void recordsPerSecondFromKafkaToGelf() throws Exception {
        prepare();
        warmUp();
        ceiling("warm-up");
        List<Row> rows = new ArrayList<>();
        rows.add(run("ceiling: plain KafkaConsumer, no work", () -> ceiling("first")));
        try (CountingHttp http = new CountingHttp(); CountingTcp tcp = new CountingTcp(); CountingUdp udp = new CountingUdp()) {
            for (int maxInFlight : TRANSPORTS.contains("http") ? MAX_IN_FLIGHT : List.<Integer>of()) {
                rows.add(run("log-shipper -> GELF HTTP, " + maxInFlight + " in flight",
                        () -> shipper(http.url(), maxInFlight, http::count)));
            }
            for (int maxInFlight : TRANSPORTS.contains("tcp") ? MAX_IN_FLIGHT : List.<Integer>of()) {
                rows.add(run("log-shipper -> GELF TCP, " + maxInFlight + " in flight",
                        () -> shipper("tcp://127.0.0.1:" + tcp.port(), maxInFlight, tcp::count)));
            }
            if (TRANSPORTS.contains("udp")) {
                rows.add(run("log-shipper -> GELF UDP, " + DEFAULT_IN_FLIGHT + " in flight",
                        () -> shipper("udp://127.0.0.1:" + udp.port(), DEFAULT_IN_FLIGHT, udp::count)));
            }
        }
        rows.add(run("ceiling again, after the shipper", () -> ceiling("last")));
        double ceiling = (rows.get(0).perSecond() + rows.get(rows.size() - 1).perSecond()) / 2;
        System.out.printf("%nGelfShipperBenchmark: %d records (~%d bytes of log text each), topic with 4 partitions, %s, "
                        + "%d cores, Java %s, max heap %d MB, load average %.1f%n",
                RECORDS, line(0).length(), Instant.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() / 1024 / 1024,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("%-44s %12s %10s %10s %14s %16s %14s %18s%n", "scenario", "records/s", "of ceiling", "seconds",
                "receiver got", "CPU µs/record", "peak heap MB", "peak after GC MB");
        for (Row r : rows) {
            System.out.printf("%-44s %12.0f %9.0f%% %10.2f %14d %16.1f %14.0f %18.0f%n", r.name(), r.perSecond(),
                    100 * r.perSecond() / ceiling, r.seconds(), r.received(), r.cpuMicrosPerRecord(),
                    r.peakHeapBytes() / 1024.0 / 1024.0,
                    r.peakLiveBytes() / 1024.0 / 1024.0);
        }
    }

    private record Row(String name, double perSecond, double seconds, long received, double cpuMicrosPerRecord,
                       long peakHeapBytes, long peakLiveBytes) {
    }

    private interface Scenario {
        long[] run() throws Exception;
    }

    private Row run(String name, Scenario scenario) throws Exception {
        System.gc();
        try (HeapSampler heap = new HeapSampler()) {
            long cpuStart = PROCESS.getProcessCpuTime();
            long start = System.nanoTime();
            long[] result = scenario.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMicrosPerRecord = (PROCESS.getProcessCpuTime() - cpuStart) / 1e3 / result[0];
            return new Row(name, result[0] / seconds, seconds, result[1], cpuMicrosPerRecord, heap.peak(),
                    heap.peakAfterCollection());
        }
    }

    private static String line(int i) {
        return "2026-11-24 10:15:30.123 INFO  [http-nio-8080-exec-7] c.e.shop.CartController - added item " + i
                + " to cart of customer 4711 in 12 ms";
    }

    private static ContainerLogRecord record(int i) {
        return new ContainerLogRecord(Instant.now(), "stdout", line(i), "shop", "cart", "3", "cart-3-7f9c" + (i % 8), "app",
                "node-1", "dep-42");
    }

    private void prepare() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = kafka.producer("bench-producer")) {
            for (int i = 0; i < RECORDS; i++) {
                var event = EventEnvelope.of("/bench", record(i));
                producer.send(new ProducerRecord<>(topic, event.key(), EventCodec.encodeToString(event)));
            }
            producer.flush();
        }
    }

    /** Compiles the decode, map and encode paths before anything is timed. */
    private static void warmUp() throws Exception {
        GelfMapper mapper = new GelfMapper(GelfMapper.Settings.DEFAULTS);
        long checksum = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] value = EventCodec.encode(EventEnvelope.of("/bench", record(i)));
            checksum += io.bgdeploy.logshipper.gelf.GelfJson.encode(mapper.map(ContainerLogDecoder.decode(value))).length;
        }
        if (checksum == 42) {
            System.out.println(checksum);
        }
    }

    /** Reads the whole topic with a consumer group of its own and does nothing with the records. */
    private long[] ceiling(String pass) {
        try (KafkaConsumer<String, byte[]> consumer = kafka.consumer("ceiling-" + pass + "-" + topic, "ceiling", 1000)) {
            consumer.subscribe(List.of(topic));
            long n = 0;
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (n < RECORDS && System.nanoTime() < deadline) {
                n += consumer.poll(Duration.ofMillis(100)).count();
            }
            return new long[]{n, n};
        }
    }

    private long[] shipper(String url, int maxInFlight, LongSupplier received) throws Exception {
        long before = received.getAsLong();
        ShipperStats stats = new ShipperStats();
        GelfTransports.Options d = GelfTransports.Options.DEFAULTS;
        GelfTransport transport = GelfTransports.fromUrl(url, new GelfTransports.Options(d.connectTimeout(), d.writeTimeout(),
                Duration.ofMillis(Long.getLong("benchmark.confirmDelayMs", d.confirmDelay().toMillis())), d.udpDatagramBytes(),
                d.httpConcurrency(), d.httpBatchBytes(), d.httpGzip(), d.httpAuthorization()));
        try (KafkaProducer<String, byte[]> dlq = kafka.bytesProducer("bench-dlq")) {
            GelfShipper shipper = new GelfShipper(kafka.consumer("shipper-" + maxInFlight + "-" + url + topic, "bench", 1000),
                    new DeadLetters(dlq, topic + "-dlq"), new GelfMapper(GelfMapper.Settings.DEFAULTS), transport,
                    new GelfShipper.Settings(topic, maxInFlight, DEFAULTS.maxInFlightBytes(), DEFAULTS.pollTimeout(),
                            DEFAULTS.initialBackoff(), DEFAULTS.maxBackoff()), stats);
            Thread thread = new Thread(shipper, "bench-shipper");
            thread.start();
            org.awaitility.Awaitility.await().atMost(LIMIT).pollInterval(Duration.ofMillis(5))
                    .until(() -> stats.delivered.get() >= RECORDS);
            long delivered = stats.delivered.get();
            shipper.close();
            thread.join();
            return new long[]{delivered, received.getAsLong() - before};
        }
    }

    /** A GELF HTTP bulk input that counts the messages of each (gzip) body and answers 202. */
    private static final class CountingHttp implements AutoCloseable {
        final HttpServer server;
        final AtomicLong messages = new AtomicLong();

        CountingHttp() throws IOException {
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.createContext("/gelf", this::handle);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                InputStream in = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(body, 64 * 1024) : body;
                byte[] buffer = new byte[64 * 1024];
                long lines = 1;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines++;
                        }
                    }
                }
                messages.addAndGet(lines);
                exchange.sendResponseHeaders(202, -1);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/gelf";
        }

        long count() {
            return messages.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Counts NUL-terminated frames on every connection. */
    private static final class CountingTcp implements AutoCloseable {
        final ServerSocket server;
        final AtomicLong frames = new AtomicLong();

        CountingTcp() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread r = new Thread(() -> read(s));
                        r.setDaemon(true);
                        r.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        private void read(Socket s) {
            byte[] buffer = new byte[256 * 1024];
            try (s; InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    long c = 0;
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == 0) {
                            c++;
                        }
                    }
                    frames.addAndGet(c);
                }
            } catch (IOException ignored) {
                // connection closed
            }
        }

        int port() {
            return server.getLocalPort();
        }

        long count() {
            return frames.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Counts datagrams (every benchmark message fits one). */
    private static final class CountingUdp implements AutoCloseable {
        final DatagramSocket socket;
        final AtomicLong datagrams = new AtomicLong();

        CountingUdp() throws IOException {
            socket = new DatagramSocket(null);
            socket.setReceiveBufferSize(16 * 1024 * 1024);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[65_536];
                while (!socket.isClosed()) {
                    try {
                        socket.receive(new DatagramPacket(buffer, buffer.length));
                        datagrams.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        long count() {
            return datagrams.get();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * Used heap sampled every 20 ms (garbage included), the highest value seen; and the highest
     * heap left after a collection (every pool's usage after each collection, from the collectors'
     * notifications).
     */
    private static final class HeapSampler implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap-sampler");
            t.setDaemon(true);
            return t;
        });
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong peakAfterCollection = new AtomicLong();
        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        private final NotificationListener afterCollection = (notification, handback) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                long used = 0;
                GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                for (Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        used += pool.getValue().getUsed();
                    }
                }
                peakAfterCollection.accumulateAndGet(used, Math::max);
            }
        };

        HeapSampler() {
            timer.scheduleAtFixedRate(this::sample, 0, 20, TimeUnit.MILLISECONDS);
            collectors().forEach(gc -> gc.addNotificationListener(afterCollection, null, null));
        }

        private void sample() {
            Runtime rt = Runtime.getRuntime();
            peak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
        }

        long peakAfterCollection() {
            return peakAfterCollection.get();
        }

        long peak() {
            sample();
            return peak.get();
        }

        @Override
        public void close() throws ListenerNotFoundException {
            timer.shutdownNow();
            for (NotificationEmitter gc : collectors()) {
                gc.removeNotificationListener(afterCollection);
            }
        }

        private static List<NotificationEmitter> collectors() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream().map(NotificationEmitter.class::cast).toList();
        }
    }
}
