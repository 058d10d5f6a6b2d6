package io.bgdeploy.infra;

import java.util.List;
import java.util.Locale;

/**
 * How the local JVMs of the suite (its services and the Kafka broker) are started: chosen with the
 * system property {@value #PROPERTY} ({@code frugal}, the default, or {@code production}).
 */
public enum JvmProfile {

    /**
     * Tests and the local run: many JVMs on two cores and little memory (local-infra's README,
     * "Memory of the services"): a young generation of 10 MiB (all of eden is touched between two
     * collections, so eden stays resident), an old generation kept between 40 % and 70 % free after
     * a collection (the JVM's defaults; at 10 % to 30 % the deployer, which in the local run also
     * reads every pod's log lines, filled its old generation every few seconds under load and
     * collected it in full each time), capped far above the live sets measured. C1 only and the
     * serial collector keep code and collector small; the broker likewise.
     */
    FRUGAL(List.of("-Xms16m", "-Xmx160m", "-Xmn10m", "-XX:MinHeapFreeRatio=40", "-XX:MaxHeapFreeRatio=70",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
            List.of("-Xms256m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")),

    /**
     * What production runs, for benchmarks that measure the product: the full JIT (C1 then C2);
     * for a service the heap and collector a pod of {@code deploy/kubernetes} gets (448 MiB limit at
     * 75 % of memory for the heap as the agent's image sets, one CPU or less, on which the JVM picks the serial
     * collector); for the broker the flags of Kafka's own start scripts ({@code kafka-server-start.sh}
     * and {@code kafka-run-class.sh}).
     */
    PRODUCTION(List.of("-Xmx336m", "-XX:+UseSerialGC"),
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                    "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent"));

    public static final String PROPERTY = "bgdeploy.jvm";

    private final List<String> serviceOptions;
    private final List<String> brokerOptions;

    JvmProfile(List<String> serviceOptions, List<String> brokerOptions) {
        this.serviceOptions = serviceOptions;
        this.brokerOptions = brokerOptions;
    }

    /** The profile {@value #PROPERTY} names; {@link #FRUGAL} when it is not set. */
    public static JvmProfile chosen() {
        String value = System.getProperty(PROPERTY, "frugal").trim().toUpperCase(Locale.ROOT);
        try {
            return valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be frugal or production, not '"
                    + System.getProperty(PROPERTY) + "'", e);
        }
    }

    /** JVM options of a service's process. */
    public List<String> serviceOptions() {
        return serviceOptions;
    }

    /** JVM options of the Kafka broker's process. */
    public List<String> brokerOptions() {
        return brokerOptions;
    }
}
