package io.bgdeploy.health;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Named.named;

/**
 * How health-service is built, checked on every build. Read it top to bottom to find your way:
 *
 * <pre>
 *   messaging (Kafka in and out) ─┐
 *   dashboard (HTTP, SSE)         │
 *   cluster   (Kubernetes watch)  ├──▶ probe, alerts ──▶ model ◀── config (settings, Wiring)
 *   datastore (TCP/HTTP checks)  ─┘
 * </pre>
 *
 * {@code model} is the service in plain Java: what a pod's health is, when a restart or a missing
 * serving pod becomes an alert, what the dashboard shows, and the ports the rest plugs into
 * ({@code HealthEvents}, {@code Prober}, {@code ProbeListener}). Everything else is an adapter
 * around it; each adapter speaks one technology, and only the one that owns it.
 *
 * <p>Plain JUnit Jupiter runs the rules (ArchUnit's own engine is not found by the JUnit Platform 6
 * that Quarkus brings); a rule that matches no class fails, so a renamed package cannot silently
 * pass.
 */
class ArchitectureTest {

    private static final String MODEL = "io.bgdeploy.health.model..";
    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.bgdeploy.health");

    static final ArchRule theModelIsPlainJava = classes().that().resideInAPackage(MODEL)
            .should().onlyDependOnClassesThat().resideInAnyPackage(MODEL, "java..", "io.bgdeploy.events..",
                    "com.fasterxml.jackson..")
            .because("the rules of health (probes, thresholds, alerts, the dashboard's picture) are tested"
                    + " without a framework, a broker or a cluster");

    static final ArchRule adaptersDependOnTheModelNeverTheOtherWay = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("model").definedBy(MODEL)
            .layer("config").definedBy("io.bgdeploy.health.config..")
            .layer("probe").definedBy("io.bgdeploy.health.probe..")
            .layer("alerts").definedBy("io.bgdeploy.health.alerts..")
            .layer("messaging").definedBy("io.bgdeploy.health.messaging..")
            .layer("dashboard").definedBy("io.bgdeploy.health.dashboard..")
            .layer("cluster").definedBy("io.bgdeploy.health.cluster..")
            .layer("datastore").definedBy("io.bgdeploy.health.datastore..")
            .whereLayer("messaging").mayNotBeAccessedByAnyLayer()
            .whereLayer("dashboard").mayNotBeAccessedByAnyLayer()
            .whereLayer("cluster").mayNotBeAccessedByAnyLayer()
            .whereLayer("datastore").mayNotBeAccessedByAnyLayer()
            .whereLayer("probe").mayOnlyBeAccessedByLayers("messaging")
            .whereLayer("alerts").mayOnlyBeAccessedByLayers("messaging", "cluster")
            .whereLayer("config").mayOnlyBeAccessedByLayers("messaging", "dashboard", "cluster", "datastore", "probe",
                    "alerts")
            .because("inputs (Kafka records, the Kubernetes watch, HTTP) drive the probes and alerts, which"
                    + " publish through ports of the model; no adapter calls another one");

    static final ArchRule noPackageCycles = slices().matching("io.bgdeploy.health.(*)..").should().beFreeOfCycles();

    static final ArchRule onlyMessagingSpeaksKafka = noClasses()
            .that().resideOutsideOfPackage("io.bgdeploy.health.messaging..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                    "io.smallrye.reactive.messaging..", "org.eclipse.microprofile.reactive.messaging..")
            .because("what is published goes through the HealthEvents port, whose Kafka implementation retries"
                    + " a failed send");

    static final ArchRule onlyClusterSpeaksKubernetes = noClasses()
            .that().resideOutsideOfPackage("io.bgdeploy.health.cluster..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..");

    static final ArchRule onlyProbesAndDataStoreChecksOpenConnections = noClasses()
            .that().resideOutsideOfPackages("io.bgdeploy.health.probe..", "io.bgdeploy.health.datastore..")
            .should().dependOnClassesThat().resideInAPackage("io.vertx..")
            .because("the non-blocking Vert.x clients are how pods and data stores are checked");

    static final ArchRule settingsAreReadInConfig = classes()
            .that().areAnnotatedWith("io.smallrye.config.ConfigMapping")
            .should().resideInAPackage("io.bgdeploy.health.config..");

    static Stream<Named<ArchRule>> rules() {
        return Stream.of(
                named("the model is plain Java", theModelIsPlainJava),
                named("adapters depend on the model, never the other way", adaptersDependOnTheModelNeverTheOtherWay),
                named("no package cycles", noPackageCycles),
                named("only messaging speaks Kafka", onlyMessagingSpeaksKafka),
                named("only cluster speaks Kubernetes", onlyClusterSpeaksKubernetes),
                named("only probes and data-store checks open connections", onlyProbesAndDataStoreChecksOpenConnections),
                named("settings are read in config", settingsAreReadInConfig));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void holds(ArchRule rule) {
        rule.check(SERVICE);
    }
}
