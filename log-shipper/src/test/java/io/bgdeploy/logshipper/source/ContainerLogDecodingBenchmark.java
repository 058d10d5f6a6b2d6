package io.bgdeploy.logshipper.source;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.logs.ContainerLogRecord;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The strict decoding of one container-logs record, measured alone with JMH: the shipper's decoder
 * beside {@link EventCodec} (the baseline, what the shipper did before), on the same value. Run with
 * {@code mvn -B -ntp -pl log-shipper -am test -Dtest=ContainerLogDecodingBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class ContainerLogDecodingBenchmark {

    /** A record as the collector writes it, with ~125 bytes of log text. */
    private final byte[] value = EventCodec.encode(EventEnvelope.of("/log-shipper/collector", new ContainerLogRecord(
            Instant.parse("2026-11-24T10:15:30.123456789Z"), "stdout",
            "2026-11-24 10:15:30.123 INFO  [http-nio-8080-exec-7] c.e.shop.CartController - added item 7 to cart of customer 4711 in 12 ms",
            "shop", "cart", "3", "cart-3-7f9c4", "app", "node-1", "mwuuxlod-bac37f13")));

    @Benchmark
    public ContainerLogRecord baselineEventCodec() throws MalformedEventException {
        return EventCodec.decode(new String(value, StandardCharsets.UTF_8), ContainerLogRecord.class).data();
    }

    @Benchmark
    public ContainerLogRecord containerLogDecoder() throws MalformedEventException {
        return ContainerLogDecoder.decode(value);
    }

    @Test
    void microsecondsPerRecord() throws RunnerException {
        System.out.printf("ContainerLogDecodingBenchmark: record of %d bytes, %d cores, Java %s, load average %.1f%n", value.length,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        new Runner(new OptionsBuilder().include(ContainerLogDecodingBenchmark.class.getName() + ".").build()).run();
    }
}
