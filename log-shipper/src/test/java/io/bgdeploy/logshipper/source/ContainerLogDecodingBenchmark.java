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
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The strict decoding of one container-logs record, measured alone with JMH: the shipper's decoder
 * beside {@link EventCodec} (the baseline, what the shipper did before), on the same value. Three
 * forks of 10 measured seconds each, so that one disturbed fork shows in the error instead of in
 * the figure; JMH's GC profiler adds the bytes allocated per record ({@code gc.alloc.rate.norm}).
 * Then the CPU time per record of each, which waiting for a core on a loaded machine does not inflate.
 * Run with
 * {@code mvn -B -ntp -pl log-shipper -am test -Dtest=ContainerLogDecodingBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 1)
@Fork(3)
public class ContainerLogDecodingBenchmark {

    private static final int CPU_ROUND = 20_000;
    private static final int CPU_ROUNDS = 15;
    private static final int CPU_WARM_UP_ROUNDS = 10;

    /** A record as the collector writes it, with ~125 bytes of log text. */
    private final byte[] value = EventCodec.encode(EventEnvelope.of("/log-shipper/collector", new ContainerLogRecord(
            Instant.parse("2026-11-24T10:15:30.123456789Z"), "stdout",
            "2026-11-24 10:15:30.123 INFO  [http-nio-8080-exec-7] c.e.shop.CartController - added item 7 to cart of customer 4711 in 12 ms",
            "shop", "cart", "3", "cart-3-7f9c4", "app", "node-1", "mwuuxlod-bac37f13")));
    private long blackhole;

    @Benchmark
    public ContainerLogRecord baselineEventCodec() throws MalformedEventException {
        return EventCodec.decode(new String(value, StandardCharsets.UTF_8), ContainerLogRecord.class).data();
    }

    @Benchmark
    public ContainerLogRecord containerLogDecoder() throws MalformedEventException {
        return ContainerLogDecoder.decode(value);
    }

    @Test
    void microsecondsPerRecord() throws Exception {
        System.out.printf("ContainerLogDecodingBenchmark: record of %d bytes, %d cores, Java %s, load average %.1f%n", value.length,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        new Runner(new OptionsBuilder().include(ContainerLogDecodingBenchmark.class.getName() + ".")
                .addProfiler(GCProfiler.class).build()).run();
        cpuTimePerRecord();
    }

    /**
     * The same two decoders timed by the CPU time of the decoding thread instead of the clock: on a
     * machine shared with other work, the clock also counts the time the thread waited for a core,
     * its CPU time does not. Rounds of {@value #CPU_ROUND} decodes; the median and the fastest round.
     */
    private void cpuTimePerRecord() throws MalformedEventException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%nCPU time of the decoding thread, %d rounds of %d records after %d warm-up rounds, load average %.1f%n",
                CPU_ROUNDS, CPU_ROUND, CPU_WARM_UP_ROUNDS, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("%-22s %18s %18s%n", "decoder", "median µs/record", "fastest µs/record");
        for (boolean baseline : new boolean[]{true, false}) {
            double[] rounds = new double[CPU_ROUNDS];
            for (int round = -CPU_WARM_UP_ROUNDS; round < CPU_ROUNDS; round++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < CPU_ROUND; i++) {
                    blackhole += (baseline ? baselineEventCodec() : containerLogDecoder()).line().length();
                }
                if (round >= 0) {
                    rounds[round] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / CPU_ROUND;
                }
            }
            Arrays.sort(rounds);
            System.out.printf("%-22s %18.2f %18.2f%n", baseline ? "EventCodec" : "ContainerLogDecoder", rounds[CPU_ROUNDS / 2], rounds[0]);
        }
        if (blackhole == 42) {
            System.out.println(blackhole);
        }
    }

}
