package io.bgdeploy.logshipper;

import biz.paluch.logging.gelf.intern.ErrorReporter;
import biz.paluch.logging.gelf.intern.GelfMessage;
import biz.paluch.logging.gelf.intern.GelfSender;
import biz.paluch.logging.gelf.intern.sender.GelfTCPSender;
import biz.paluch.logging.gelf.intern.sender.GelfUDPSender;
import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.logs.ContainerLogRecord;
import io.bgdeploy.infra.testing.SharedInfra;
import io.bgdeploy.logshipper.delivery.GelfShipper;
import io.bgdeploy.logshipper.delivery.GelfTransport;
import io.bgdeploy.logshipper.delivery.GelfTransports;
import io.bgdeploy.logshipper.delivery.ShipperStats;
import io.bgdeploy.logshipper.gelf.GelfMapper;
import io.bgdeploy.logshipper.source.DeadLetters;
import io.bgdeploy.logshipper.source.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Records per second from Kafka to GELF, in one run: the ceiling (a plain consumer that does
 * nothing), the shipper over TCP and UDP, and a naive loop sending each record with
 * logstash-gelf's own senders one by one. The receivers only count (NUL bytes, datagrams) so that
 * the figures are the shipper's, not a JSON parser's. Run with
 * {@code mvn -B -pl log-shipper test -Dtest=GelfShipperBenchmark}.
 */
class GelfShipperBenchmark {

    private static final int RECORDS = Integer.getInteger("benchmark.records", 200_000);
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private final String bootstrap = SharedInfra.kafka().bootstrapServers();
    private final String topic = "bench-logs-" + System.nanoTime();

    @Test
    void recordsPerSecondFromKafkaToGelf() throws Exception {
        prepare();
        warmUp();
        List<String> rows = new ArrayList<>();
        rows.add(run("ceiling: plain KafkaConsumer, no work", this::ceiling));
        try (CountingTcp tcp = new CountingTcp(); CountingUdp udp = new CountingUdp()) {
            rows.add(run("naive loop, logstash-gelf TCP sender", () -> naive(new GelfTCPSender("127.0.0.1", tcp.port(),
                    2000, 2000, REPORTER), tcp::count)));
            rows.add(run("log-shipper -> GELF TCP (at least once)", () -> shipper("tcp://127.0.0.1:" + tcp.port(), tcp::count)));
            rows.add(run("naive loop, logstash-gelf UDP sender", () -> naive(new GelfUDPSender("127.0.0.1", udp.port(),
                    REPORTER), udp::count)));
            rows.add(run("log-shipper -> GELF UDP", () -> shipper("udp://127.0.0.1:" + udp.port(), udp::count)));
        }
        System.out.printf("%nGelfShipperBenchmark: %d records (~%d bytes of log text each), topic with 4 partitions, %s, %d cores, Java %s%n",
                RECORDS, line(0).length(), Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%-42s %12s %10s %14s %14s%n", "scenario", "records/s", "seconds", "receiver got", "peak heap MB");
        rows.forEach(System.out::println);
    }

    private static final ErrorReporter REPORTER = (message, e) -> { };

    private interface Scenario {
        long[] run() throws Exception;
    }

    private String run(String name, Scenario scenario) throws Exception {
        System.gc();
        HeapSampler heap = new HeapSampler();
        heap.start();
        long start = System.nanoTime();
        long[] result = scenario.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        heap.stop = true;
        heap.join();
        return String.format("%-42s %12.0f %10.2f %14d %14.0f", name, result[0] / seconds, seconds, result[1],
                heap.peak / 1024.0 / 1024.0);
    }

    private static String line(int i) {
        return "2026-11-24 10:15:30.123 INFO  [http-nio-8080-exec-7] c.e.shop.CartController - added item " + i
                + " to cart of customer 4711 in 12 ms";
    }

    private void prepare() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap, "bench-producer")) {
            for (int i = 0; i < RECORDS; i++) {
                var record = new ContainerLogRecord(Instant.now(), "stdout", line(i), "shop", "cart", "3",
                        "cart-3-7f9c" + (i % 8), "app", "node-1", "dep-42");
                var event = EventEnvelope.of("/bench", record);
                producer.send(new ProducerRecord<>(topic, event.key(), EventCodec.encodeToString(event)));
            }
            producer.flush();
        }
    }

    /** Compiles both sides' decode, map and encode paths before anything is timed. */
    private static void warmUp() throws Exception {
        GelfMapper mapper = new GelfMapper(GelfMapper.Settings.DEFAULTS);
        long sink = 0;
        for (int i = 0; i < 50_000; i++) {
            var record = new ContainerLogRecord(Instant.now(), "stdout", line(i), "shop", "cart", "3", "cart-3-7f9c",
                    "app", "node-1", "dep-42");
            String value = EventCodec.encodeToString(EventEnvelope.of("/bench", record));
            ContainerLogRecord decoded = EventCodec.decode(value, ContainerLogRecord.class).data();
            sink += io.bgdeploy.logshipper.gelf.GelfJson.encode(mapper.map(decoded)).length;
            sink += logstash(decoded).toJson().length();
        }
        if (sink == 42) {
            System.out.println(sink);
        }
    }

    private static GelfMessage logstash(ContainerLogRecord log) {
        GelfMessage m = new GelfMessage(log.line(), null, log.timestamp().toEpochMilli(), "6");
        m.setVersion(GelfMessage.GELF_VERSION_1_1);
        m.setHost(log.pod());
        m.addField("namespace", log.namespace());
        m.addField("app", log.app());
        m.addField("version", log.version());
        m.addField("pod", log.pod());
        m.addField("container", log.container());
        m.addField("stream", log.stream());
        m.addField("deployment_id", log.deploymentId());
        m.addField("node", log.node());
        return m;
    }

    private long[] ceiling() {
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, "ceiling-" + topic, "ceiling")) {
            consumer.subscribe(List.of(topic));
            long n = 0;
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (n < RECORDS && System.nanoTime() < deadline) {
                n += consumer.poll(Duration.ofMillis(100)).count();
            }
            return new long[]{n, n};
        }
    }

    private long[] shipper(String url, LongSupplier received) throws Exception {
        long before = received.getAsLong();
        ShipperStats stats = new ShipperStats();
        GelfTransport transport = GelfTransports.fromUrl(url, GelfTransports.Options.DEFAULTS);
        try (KafkaProducer<String, String> dlq = KafkaClients.producer(bootstrap, "bench-dlq")) {
            GelfShipper shipper = new GelfShipper(KafkaClients.consumer(bootstrap, "shipper-" + url + topic, "bench"),
                    new DeadLetters(dlq, topic + "-dlq"), new GelfMapper(GelfMapper.Settings.DEFAULTS), transport,
                    GelfShipper.Settings.defaults(topic), stats);
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

    private long[] naive(GelfSender sender, LongSupplier received) {
        long before = received.getAsLong();
        try (sender; KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, "naive-" + sender + topic, "naive")) {
            consumer.subscribe(List.of(topic));
            long n = 0;
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (n < RECORDS && System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    ContainerLogRecord log = EventCodec.decode(r.value(), ContainerLogRecord.class).data();
                    sender.sendMessage(logstash(log));
                    n++;
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
            return new long[]{n, received.getAsLong() - before};
        } catch (Exception e) {
            throw new IllegalStateException(e);
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

    private static final class HeapSampler extends Thread {
        volatile boolean stop;
        volatile long peak;

        HeapSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            Runtime rt = Runtime.getRuntime();
            while (!stop) {
                peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
