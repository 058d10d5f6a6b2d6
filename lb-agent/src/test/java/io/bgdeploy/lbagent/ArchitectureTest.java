package io.bgdeploy.lbagent;

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
 * How the HAProxy agent is built, checked on every build. Read it top to bottom to find your way:
 *
 * <pre>
 *   api (status, health, metrics) ─▶ sync (the agent loop) ─┬─▶ etcd     (what to serve; where it reports)
 *                                                            ├─▶ render   (haproxy.cfg and the map file)
 *                                                            ├─▶ haproxy  (the process, its master CLI and Runtime API)
 *                                                            └─▶ model    ◀── used by all of them
 *   messaging (failures on lb-events)      config (settings, Wiring) builds and starts them all
 * </pre>
 *
 * {@code model} is the agent in plain Java: the layout of frontends and backend slots planned from
 * the load balancer's model, and the Runtime API plan that moves a running HAProxy to it.
 * {@code sync} follows etcd and applies each change: through the Runtime API when it can, by a
 * reload when the structure changed. Each adapter speaks one technology, and only the one that
 * owns it.
 *
 * <p>Plain JUnit Jupiter runs the rules (ArchUnit's own engine is not found by the JUnit Platform
 * that Quarkus brings); a rule that matches no class fails, so a renamed package cannot silently
 * pass.
 */
class ArchitectureTest {

    private static final String ROOT = "io.bgdeploy.lbagent";
    private static final String MODEL = ROOT + ".model..";
    private static final JavaClasses AGENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    static final ArchRule theModelIsPlainJava = classes().that().resideInAPackage(MODEL)
            .should().onlyDependOnClassesThat().resideInAnyPackage(MODEL, "java..", "io.bgdeploy.events..",
                    "io.bgdeploy.lb.model..", "org.pcollections..")
            .because("which slot a version takes and which Runtime API commands move HAProxy there are tested"
                    + " without etcd, HAProxy or a framework (persistent maps are plain data structures)");

    static final ArchRule adaptersAreReachedThroughTheLoop = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("model").definedBy(MODEL)
            .layer("haproxy").definedBy(ROOT + ".haproxy..")
            .layer("render").definedBy(ROOT + ".render..")
            .layer("etcd").definedBy(ROOT + ".etcd..")
            .layer("sync").definedBy(ROOT + ".sync..")
            .layer("messaging").definedBy(ROOT + ".messaging..")
            .layer("api").definedBy(ROOT + ".api..")
            .layer("config").definedBy(ROOT + ".config..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("sync").mayOnlyBeAccessedByLayers("api", "config")
            .whereLayer("haproxy").mayOnlyBeAccessedByLayers("sync", "config")
            .whereLayer("render").mayOnlyBeAccessedByLayers("sync", "config")
            .whereLayer("etcd").mayOnlyBeAccessedByLayers("sync", "config")
            .whereLayer("messaging").mayOnlyBeAccessedByLayers("config")
            .whereLayer("config").mayOnlyBeAccessedByLayers("messaging")
            .because("the loop decides, the adapters carry out: none of them knows another, so HAProxy, etcd"
                    + " and the rendered text can each be tested alone");

    static final ArchRule noPackageCycles = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    static final ArchRule theLoopAndItsAdaptersAreFreeOfFrameworks = noClasses()
            .that().resideInAnyPackage(MODEL, ROOT + ".sync..", ROOT + ".haproxy..", ROOT + ".render..", ROOT + ".etcd..")
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus.runtime..", "io.quarkus.arc..",
                    "io.smallrye..", "jakarta..", "org.eclipse.microprofile..", "io.micrometer..", "org.apache.kafka..")
            .because("they are plain objects built by config.Wiring; CDI, settings, metrics and Kafka live at the edge");

    static final ArchRule onlyTheEtcdAdapterSpeaksEtcd = noClasses()
            .that().resideOutsideOfPackages(ROOT + ".etcd..", ROOT + ".config..")
            .should().dependOnClassesThat().resideInAnyPackage("io.etcd..", "io.grpc..")
            .because("registration, its lease and the reports are written in one place");

    static final ArchRule onlyTheHaproxyAdapterRunsProcessesAndOpensSockets = noClasses()
            .that().resideOutsideOfPackage(ROOT + ".haproxy..")
            .should().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
            .orShould().dependOnClassesThat().resideInAPackage("java.nio.channels..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.net.Socket.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.net.UnixDomainSocketAddress.class.getName())
            .because("every command that reaches HAProxy (haproxy -c, the master CLI, the Runtime API) goes through"
                    + " the classes that check what they send");

    static final ArchRule onlyTheRendererWritesConfigurationText = noClasses()
            .that().resideOutsideOfPackage(ROOT + ".render..")
            .should().dependOnClassesThat().resideInAPackage("io.quarkus.qute..")
            .because("haproxy.cfg is rendered in one place, from values the model has already validated");

    static final ArchRule onlyMessagingSpeaksKafka = noClasses()
            .that().resideOutsideOfPackage(ROOT + ".messaging..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                    "io.smallrye.reactive.messaging..", "org.eclipse.microprofile.reactive.messaging..");

    static Stream<Named<ArchRule>> rules() {
        return Stream.of(
                named("the model is plain Java", theModelIsPlainJava),
                named("the adapters are reached through the loop", adaptersAreReachedThroughTheLoop),
                named("no package cycles", noPackageCycles),
                named("the loop and its adapters are free of frameworks", theLoopAndItsAdaptersAreFreeOfFrameworks),
                named("only the etcd adapter speaks etcd", onlyTheEtcdAdapterSpeaksEtcd),
                named("only the HAProxy adapter runs processes and opens sockets", onlyTheHaproxyAdapterRunsProcessesAndOpensSockets),
                named("only the renderer writes configuration text", onlyTheRendererWritesConfigurationText),
                named("only messaging speaks Kafka", onlyMessagingSpeaksKafka));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void holds(ArchRule rule) {
        rule.check(AGENT);
    }
}
