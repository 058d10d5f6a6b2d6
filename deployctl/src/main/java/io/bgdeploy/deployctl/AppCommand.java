package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.Names;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A command about one app, answered by the deployer's REST API: status, history, rollback,
 * undeploy. Each ends with an {@link Outcome}, printed as text or JSON.
 */
abstract class AppCommand implements Callable<Integer> {

    final Terminal terminal;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "APP", description = "The app's name (appName of its descriptor).")
    String app;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default", converter = Converters.NamespaceConverter.class,
            description = "The app's namespace. Default: ${DEFAULT-VALUE}")
    String namespace;

    @Mixin
    DeployerOptions deployer;

    @Mixin
    OutputOption output;

    AppCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public final Integer call() {
        if (!Names.isAppName(app)) {
            throw new ParameterException(spec.commandLine(), "APP '" + Names.printable(app)
                    + "' is not an app name: lower-case letters, digits and '-', starting with a letter");
        }
        URI url = deployer.url(terminal).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "the deployer's URL is needed: --deployer http://deployer:8080 or $" + DeployerOptions.URL_VARIABLE));
        Printer printer = output.printer(terminal);
        Optional<String> token;
        try {
            token = deployer.token(terminal);
        } catch (IOException e) {
            return printer.end(Outcome.cannotRun("token file " + deployer.tokenFile + " cannot be read: " + e.getMessage()));
        }
        DeployerApi api = new DeployerApi(url, token);
        try {
            return printer.end(run(api, printer));
        } catch (IOException e) {
            return printer.end(api.unreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return printer.end(Outcome.cannotRun("interrupted"));
        } catch (DeployerApi.UnexpectedAnswer e) {
            return printer.end(Outcome.cannotRun(e.getMessage()));
        } catch (DeployerApi.Refused e) {
            return printer.end(e.outcome());
        }
    }

    abstract Outcome run(DeployerApi api, Printer printer)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused;

    String key() {
        return namespace + "/" + app;
    }

    /** The app's deployments, newest first (at most {@code size}). */
    JsonNode deployments(DeployerApi api, Printer printer, int size)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused {
        return api.getJson("/deployments/?namespace=" + DeployerApi.enc(namespace) + "&appname=" + DeployerApi.enc(app)
                + "&size=" + size, "listing the deployments of " + key(), printer.progress());
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
