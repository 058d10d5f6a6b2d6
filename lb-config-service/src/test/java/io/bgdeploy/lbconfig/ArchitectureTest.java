package io.bgdeploy.lbconfig;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.bgdeploy.lb.etcd.EtcdAccess;
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
 * How lb-config-service is built, checked on every build. Read it top to bottom to find your way:
 *
 * <pre>
 *   messaging (lb-commands in, lb-events out) ─┐
 *   api (REST: the configuration, the agents) ─┴─▶ store (etcd) ─▶ model
 *                        config (settings, Wiring) builds them
 * </pre>
 *
 * {@code model} decides in plain Java: what a command changes in the stored configuration or why
 * it is refused ({@code CommandPlanner}), and whether the agents serve a revision
 * ({@code AgentConfirmation}). {@code store} reads etcd, asks the model, and writes the plan in one
 * transaction; {@code messaging} takes commands from Kafka and answers each once. The stored
 * layout and its JSON (lb-model's {@code lb.etcd}) are shared with the agents.
 *
 * <p>Plain JUnit Jupiter runs the rules (ArchUnit's own engine is not found by the JUnit Platform
 * that Quarkus brings); a rule that matches no class fails, so a renamed package cannot silently
 * pass.
 */
class ArchitectureTest {

    private static final String ROOT = "io.bgdeploy.lbconfig";
    private static final String MODEL = ROOT + ".model..";
    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    static final ArchRule theModelIsPlainJava = classes().that().resideInAPackage(MODEL)
            .should().onlyDependOnClassesThat().resideInAnyPackage(MODEL, "java..", "io.bgdeploy.events..",
                    "io.bgdeploy.lb.model..", "io.bgdeploy.lb.etcd..")
            .because("what a command changes, what it is refused for and when the agents serve it are tested"
                    + " without etcd, Kafka or a framework");

    static final ArchRule theModelReadsTheStoredLayoutNotTheClient = noClasses().that().resideInAPackage(MODEL)
            .should().dependOnClassesThat().haveFullyQualifiedName(EtcdAccess.class.getName())
            .because("the model sees etcd's keys and values as data; reading and writing them is the store's job");

    static final ArchRule theStoreIsReachedFromTheEdges = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("model").definedBy(MODEL)
            .layer("store").definedBy(ROOT + ".store..")
            .layer("messaging").definedBy(ROOT + ".messaging..")
            .layer("api").definedBy(ROOT + ".api..")
            .layer("config").definedBy(ROOT + ".config..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("messaging").mayOnlyBeAccessedByLayers("config")
            .whereLayer("store").mayOnlyBeAccessedByLayers("messaging", "api", "config")
            .whereLayer("config").mayOnlyBeAccessedByLayers("messaging", "api")
            .because("commands come in through messaging and operators through api; both change the configuration"
                    + " only through the store, which asks the model");

    static final ArchRule noPackageCycles = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    static final ArchRule theStoreAndTheModelAreFreeOfFrameworks = noClasses()
            .that().resideInAnyPackage(MODEL, ROOT + ".store..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.smallrye..", "jakarta..",
                    "org.eclipse.microprofile..", "io.micrometer..", "org.apache.kafka..")
            .because("they are plain objects built by config.Wiring and tested against a real etcd without Quarkus");

    static final ArchRule onlyTheStoreSpeaksEtcd = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".store..", ROOT + ".config..")
            .should().dependOnClassesThat().resideInAnyPackage("io.etcd..", "io.grpc..");

    static final ArchRule onlyMessagingSpeaksKafka = noClasses()
            .that().resideOutsideOfPackage(ROOT + ".messaging..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                    "io.smallrye.reactive.messaging..", "org.eclipse.microprofile.reactive.messaging..");

    static Stream<Named<ArchRule>> rules() {
        return Stream.of(
                named("the model is plain Java", theModelIsPlainJava),
                named("the model reads the stored layout, not the etcd client", theModelReadsTheStoredLayoutNotTheClient),
                named("the store is reached from the edges", theStoreIsReachedFromTheEdges),
                named("no package cycles", noPackageCycles),
                named("the store and the model are free of frameworks", theStoreAndTheModelAreFreeOfFrameworks),
                named("only the store speaks etcd", onlyTheStoreSpeaksEtcd),
                named("only messaging speaks Kafka", onlyMessagingSpeaksKafka));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void holds(ArchRule rule) {
        rule.check(SERVICE);
    }
}
