package io.bgdeploy.logshipper;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture of log-shipper, checked on every build. Read from top to bottom:
 * <pre>
 *   model       the domain: log lines, GELF messages, the in-flight bookkeeping of at-least-once,
 *               and the ports to Graylog (GelfTransport), to Kafka (LogRecordPublisher) and to the
 *               cluster (PodDirectory). Plain Java on common-events.
 *   gelf        GELF on the wire: JSON, UDP chunks.
 *   source      reading container-logs: the decoder, the dead-letter topic.
 *   delivery    shipping to Graylog: the Kafka loop and the HTTP, TCP and UDP transports.
 *   collector   the node collector: CRI files, read positions, publishing to Kafka;
 *               collector.kubernetes reads the node's pods from the Kubernetes API.
 *   health      liveness and readiness.
 *   config      settings, the Kafka clients, Wiring, and the services that start the loops.
 * </pre>
 */
@AnalyzeClasses(packages = "io.bgdeploy.logshipper", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String MODEL = "io.bgdeploy.logshipper.model..";

    @ArchTest
    static void the_model_is_plain_java_on_the_event_contract(JavaClasses classes) {
        classes().that().resideInAPackage(MODEL)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.bgdeploy.events..", MODEL)
                .because("the rules of shipping and collecting must be testable without Kafka, Graylog, Quarkus or a cluster")
                .check(classes);
    }

    @ArchTest
    static void gelf_wire_formats_know_only_the_model_and_a_json_writer(JavaClasses classes) {
        classes().that().resideInAPackage("..logshipper.gelf..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", MODEL, "io.bgdeploy.logshipper.gelf..", "com.fasterxml.jackson.core..")
                .check(classes);
    }

    @ArchTest
    static void the_framework_stays_in_config_and_health(JavaClasses classes) {
        noClasses().that().resideInAnyPackage(MODEL, "..logshipper.gelf..", "..logshipper.source..",
                        "..logshipper.delivery..", "..logshipper.collector..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.smallrye..", "jakarta..",
                        "org.eclipse.microprofile..", "io.micrometer..")
                .because("the loops are plain objects built by config.Wiring; CDI, settings and metrics live at the edge")
                .check(classes);
    }

    @ArchTest
    static void kafka_is_used_by_the_adapters_only(JavaClasses classes) {
        noClasses().that().resideOutsideOfPackages("..logshipper.source..", "..logshipper.delivery..",
                        "..logshipper.collector", "..logshipper.health..", "..logshipper.config..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(classes);
    }

    @ArchTest
    static void only_the_collectors_kubernetes_adapter_reads_the_cluster(JavaClasses classes) {
        noClasses().that().resideOutsideOfPackages("..logshipper.collector.kubernetes..", "..logshipper.config..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
                .check(classes);
    }

    @ArchTest
    static void shipping_does_not_depend_on_collecting(JavaClasses classes) {
        noClasses().that().resideInAPackage("..logshipper.delivery..")
                .should().dependOnClassesThat().resideInAPackage("..logshipper.collector..")
                .because("the shipper and the node collector are separate roles, deployed apart")
                .check(classes);
    }

    @ArchTest
    static void collecting_does_not_depend_on_shipping(JavaClasses classes) {
        noClasses().that().resideInAPackage("..logshipper.collector..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("..logshipper.delivery..", "..logshipper.source..", "..logshipper.gelf..")
                .check(classes);
    }

    @ArchTest
    static void the_shipping_loop_sees_transports_only_through_the_port(JavaClasses classes) {
        noClasses().that().haveNameNotMatching(".*\\.(Tcp|Udp|Http)GelfTransport(\\$.*)?")
                .and().doNotHaveSimpleName("GelfTransports")
                .should().dependOnClassesThat().haveNameMatching(".*\\.(Tcp|Udp|Http)GelfTransport")
                .because("GelfTransports builds the one that graylog.gelf.url names; everything else uses model.GelfTransport")
                .check(classes);
    }

    @ArchTest
    static void packages_have_no_cycles(JavaClasses classes) {
        slices().matching("io.bgdeploy.logshipper.(*)..").should().beFreeOfCycles().check(classes);
    }
}
