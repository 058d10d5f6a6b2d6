package io.bgdeploy.deployctl;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.deploy.DeploymentAccepted;
import io.bgdeploy.events.deploy.DeploymentFinished;
import io.bgdeploy.events.deploy.DeploymentPhaseChanged;
import io.bgdeploy.events.deploy.DeploymentRejected;
import io.bgdeploy.events.deploy.DeploymentStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code deployctl watch}: the deployments of a namespace (or one app, or one deployment) as they happen. */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Prints the deployment events of a namespace, an app or one deployment as they happen (deploy-events on Kafka).",
                "With --deployment it ends when that deployment does: exit status 0 DEPLOYED or UNDEPLOYED, 1 FAILURE, 3 on --timeout.",
                "Otherwise it runs until --timeout (exit status 0) or Ctrl-C. With --output json, one JSON object per line."})
final class WatchCommand implements Callable<Integer> {

    private final Terminal terminal;

    @Parameters(index = "0", arity = "0..1", paramLabel = "APP", description = "Only this app.")
    String app;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default", converter = Converters.NamespaceConverter.class,
            description = "The namespace. Default: ${DEFAULT-VALUE}")
    String namespace;

    @Option(names = "--deployment", paramLabel = "ID", description = "Follow this deployment until it ends.")
    String deploymentId;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Stop after this long. Default: never (or when --deployment ends).")
    Duration timeout;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    OutputOption output;

    WatchCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Printer printer = output.printer(terminal);
        String bootstrap = kafka.bootstrap(terminal);
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                KafkaDeploy.consumerProperties(bootstrap, kafka.clientConfig()))) {
            boolean assigned = KafkaDeploy.assign(consumer, KafkaDeploy.CONNECT_TIMEOUT, false);
            printer.progress().accept("watching deploy-events of " + namespace + (app == null ? "" : "/" + app)
                    + (deploymentId == null ? "" : ", deployment " + deploymentId) + " on Kafka " + bootstrap);
            while (System.nanoTime() < deadline) {
                if (!assigned) {
                    assigned = KafkaDeploy.assign(consumer, KafkaDeploy.POLL, true);
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(KafkaDeploy.POLL)) {
                    Optional<Outcome> end = onRecord(r, printer);
                    if (end.isPresent()) {
                        return printer.end(end.get());
                    }
                }
            }
            if (deploymentId != null) {
                return printer.end(Outcome.timedOut("deployment " + deploymentId + " did not end within "
                        + Durations.format(timeout)).with("deploymentId", deploymentId));
            }
            return json(printer) ? Outcome.OK : printer.end(Outcome.ok("stopped watching after " + Durations.format(timeout)));
        } catch (IOException e) {
            return printer.end(Outcome.cannotRun(e.getMessage()));
        } catch (KafkaException e) {
            return printer.end(KafkaDeploy.unreachable(bootstrap, e));
        }
    }

    /** With --output json and no deployment to follow, stdout holds only the events, one per line. */
    private static boolean json(Printer printer) {
        return printer.json();
    }

    private Optional<Outcome> onRecord(ConsumerRecord<String, String> r, Printer printer) {
        String key = r.key();
        if (key == null || !key.startsWith(namespace + "/") || app != null && !key.equals(namespace + "/" + app)) {
            return Optional.empty();
        }
        EventEnvelope<?> event;
        try {
            event = EventCodec.decode(r.value());
        } catch (MalformedEventException e) {
            printer.warnings().accept("skipped an unreadable record of " + key + " at " + r.topic() + "-" + r.partition()
                    + "@" + r.offset() + ": " + e.getMessage());
            return Optional.empty();
        }
        String id = deploymentIdOf(event);
        if (deploymentId != null && !deploymentId.equals(id)) {
            return Optional.empty();
        }
        if (printer.json()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", event.time().toString());
            line.put("key", key);
            line.put("type", event.type());
            line.put("data", event.data());
            printer.jsonLine(line);
        } else {
            printer.progress().accept(event.time() + " " + key + " " + describe(event));
        }
        if (deploymentId != null && event.data() instanceof DeploymentFinished f) {
            String what = "deployment " + f.deploymentId() + " of " + key + " version " + f.version() + " ended " + f.status()
                    + (f.reason() == null ? "" : ": " + f.reason());
            Outcome outcome = f.status() == DeploymentStatus.FAILURE ? Outcome.failure(what) : Outcome.ok(what);
            return Optional.of(printer.json() ? outcome.with("deploymentId", f.deploymentId()).with("status", f.status().name())
                    : outcome);
        }
        return Optional.empty();
    }

    private static String deploymentIdOf(EventEnvelope<?> event) {
        if (event.data() instanceof DeploymentAccepted a) {
            return a.deploymentId();
        } else if (event.data() instanceof DeploymentPhaseChanged p) {
            return p.deploymentId();
        } else if (event.data() instanceof DeploymentFinished f) {
            return f.deploymentId();
        }
        return null;
    }

    private static String describe(EventEnvelope<?> event) {
        if (event.data() instanceof DeploymentAccepted a) {
            return "accepted deployment " + a.deploymentId() + " version " + a.version() + " (request " + a.requestId() + ")"
                    + (a.requestedBy() == null ? "" : " requested by " + a.requestedBy());
        } else if (event.data() instanceof DeploymentRejected r) {
            return "rejected request " + r.requestId() + ": " + r.reason() + (r.problems().isEmpty() ? "" : " " + r.problems());
        } else if (event.data() instanceof DeploymentPhaseChanged p) {
            return p.deploymentId() + " phase " + p.phase() + (p.message() == null ? "" : ": " + p.message());
        } else if (event.data() instanceof DeploymentFinished f) {
            return f.deploymentId() + " " + f.status() + " version " + f.version() + " after "
                    + Durations.format(f.durationMillis()) + (f.reason() == null ? "" : ": " + f.reason());
        }
        return event.type();
    }
}
