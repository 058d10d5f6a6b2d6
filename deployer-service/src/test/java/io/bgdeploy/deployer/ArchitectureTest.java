package io.bgdeploy.deployer;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
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
 * How deployer-service is built, checked on every build. Read it top to bottom to find your way:
 *
 * <pre>
 *   api (REST) ──────────┐
 *   messaging (Kafka) ───┴─▶ intake ─▶ scheduling ─▶ bluegreen ─▶ model ◀── store (etcd)
 *                                                                   ▲  ◀── platform (kubernetes, local)
 *                              config (settings, Wiring, Startup) builds and starts them all
 * </pre>
 *
 * {@code platform.local} is the deployer's side of the {@code local-platform} module (pods as local
 * processes, a stand-in for Kubernetes in the local run and tests): nothing else touches that module.
 *
 * {@code model} is the deployer in plain Java: a deployment, the blue-green planner, the resource
 * policy, and the ports the adapters plug into ({@code DeploymentStore}, {@code AppLocks},
 * {@code Platform}, {@code LoadBalancer}, {@code EventSink}). {@code intake} answers every request
 * to deploy, roll back or undeploy, whether it came by REST or on Kafka; {@code scheduling} runs
 * each app's deployments one at a time under its lock and recovers after a restart;
 * {@code bluegreen} is the flow, one class per step. Each adapter speaks one technology, and only
 * the one that owns it.
 *
 * <p>Plain JUnit Jupiter runs the rules (ArchUnit's own engine is not found by the JUnit Platform
 * that Quarkus brings); a rule that matches no class fails, so a renamed package cannot silently
 * pass.
 */
class ArchitectureTest {

    private static final String ROOT = "io.bgdeploy.deployer";
    private static final String MODEL = ROOT + ".model..";
    private static final String CORE_BEHIND_INTAKE = ROOT + ".bluegreen..";
    private static final String SCHEDULING = ROOT + ".scheduling..";
    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    static final ArchRule theModelIsPlainJava = classes().that().resideInAPackage(MODEL)
            .should().onlyDependOnClassesThat().resideInAnyPackage(MODEL, "java..", "io.bgdeploy.events..",
                    "com.fasterxml.jackson..")
            .because("what a deployment is, which version comes next and what a workload looks like are tested"
                    + " without a framework, a broker, etcd or a cluster");

    static final ArchRule adaptersDependOnTheModelNeverTheOtherWay = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("model").definedBy(MODEL)
            .layer("bluegreen").definedBy(CORE_BEHIND_INTAKE)
            .layer("scheduling").definedBy(SCHEDULING)
            .layer("intake").definedBy(ROOT + ".intake..")
            .layer("api").definedBy(ROOT + ".api..")
            .layer("messaging").definedBy(ROOT + ".messaging..")
            .layer("store").definedBy(ROOT + ".store..")
            .layer("platform").definedBy(ROOT + ".platform..")
            .layer("config").definedBy(ROOT + ".config..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("store").mayOnlyBeAccessedByLayers("config")
            .whereLayer("platform").mayOnlyBeAccessedByLayers("config")
            .whereLayer("messaging").mayOnlyBeAccessedByLayers("config")
            .whereLayer("intake").mayOnlyBeAccessedByLayers("api", "messaging", "config")
            .whereLayer("scheduling").mayOnlyBeAccessedByLayers("intake", "messaging", "config")
            .whereLayer("bluegreen").mayOnlyBeAccessedByLayers("scheduling", "intake", "messaging", "config")
            .whereLayer("config").mayOnlyBeAccessedByLayers("api")
            .because("requests come in through api and messaging, go through intake to the scheduler and the"
                    + " flow, which reach etcd, the platform and Kafka only through the model's ports");

    static final ArchRule requestsReachTheCoreOnlyThroughIntake = noClasses().that(areEntryPoints())
            .should().dependOnClassesThat().resideInAnyPackage(CORE_BEHIND_INTAKE, SCHEDULING)
            .because("a REST call and a Kafka deploy request get the same validation, the same answers and the"
                    + " same rejections on deploy-events: RequestIntake gives them");

    static final ArchRule noPackageCycles = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    static final ArchRule theCoreIsFreeOfFrameworks = noClasses()
            .that().resideInAnyPackage(MODEL, CORE_BEHIND_INTAKE, SCHEDULING, ROOT + ".intake..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.smallrye..", "jakarta..",
                    "org.eclipse.microprofile..", "io.micrometer..", "io.etcd..", "io.fabric8..", "org.apache.kafka..",
                    "io.vertx..")
            .because("the core is plain objects built by config.Wiring and tested with fakes");

    static final ArchRule onlyTheStoreSpeaksEtcd = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".store..", ROOT + ".config..")
            .should().dependOnClassesThat().resideInAPackage("io.etcd..");

    static final ArchRule onlyTheKubernetesPlatformSpeaksKubernetes = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".platform.kubernetes..", ROOT + ".config..")
            .should().dependOnClassesThat().resideInAPackage("io.fabric8..");

    static final ArchRule onlyTheLocalPlatformAdapterUsesTheLocalPlatform = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".platform.local..", ROOT + ".config..")
            .should().dependOnClassesThat().resideInAPackage("io.bgdeploy.localplatform..")
            .because("the local platform is development and test equipment: the deployer runs on it only through"
                    + " the Platform port, so that nothing but that adapter changes when it does");

    static final ArchRule onlyMessagingSpeaksKafka = noClasses()
            .that().resideOutsideOfPackage(ROOT + ".messaging..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                    "io.smallrye.reactive.messaging..", "org.eclipse.microprofile.reactive.messaging..");

    /** REST resources and the consumer of deploy-requests: where requests from outside come in. */
    private static DescribedPredicate<JavaClass> areEntryPoints() {
        return DescribedPredicate.describe("are REST resources or Kafka consumers of requests",
                c -> c.isAnnotatedWith("jakarta.ws.rs.Path") || c.getMethods().stream()
                        .anyMatch(m -> m.isAnnotatedWith("org.eclipse.microprofile.reactive.messaging.Incoming")));
    }

    static Stream<Named<ArchRule>> rules() {
        return Stream.of(
                named("the model is plain Java", theModelIsPlainJava),
                named("adapters depend on the model, never the other way", adaptersDependOnTheModelNeverTheOtherWay),
                named("REST and Kafka requests reach the core only through intake", requestsReachTheCoreOnlyThroughIntake),
                named("no package cycles", noPackageCycles),
                named("the core is free of frameworks", theCoreIsFreeOfFrameworks),
                named("only the store speaks etcd", onlyTheStoreSpeaksEtcd),
                named("only the Kubernetes platform speaks Kubernetes", onlyTheKubernetesPlatformSpeaksKubernetes),
                named("only the local platform's adapter uses the local platform", onlyTheLocalPlatformAdapterUsesTheLocalPlatform),
                named("only messaging speaks Kafka", onlyMessagingSpeaksKafka));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void holds(ArchRule rule) {
        rule.check(SERVICE);
    }
}
