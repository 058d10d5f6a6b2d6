package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code deployctl undeploy APP}: removes the serving version (frontend, backend, workload). */
@Command(name = "undeploy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Removes the app's serving version: its frontend, backend and workload; waits until it is UNDEPLOYED.",
                "Exit status 0 when undeployed (or nothing ran), 2 when there is nothing to undeploy or the deployer refuses."})
final class UndeployCommand extends AppCommand {

    @Mixin
    TargetOptions target;

    @Option(names = "--forget", description = "Also delete the deployment from the history.")
    boolean forget;

    UndeployCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    Outcome run(DeployerApi api, Printer printer)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused {
        String id = target.deploymentId;
        if (id == null) {
            for (JsonNode d : deployments(api, printer, 1000)) {
                if (id == null && "DEPLOYED".equals(text(d, "status"))) {
                    id = text(d, "id");
                }
            }
            if (id == null) {
                String summary = "no version of " + key() + " is deployed: nothing to undeploy";
                printer.progress().accept(summary);
                return Outcome.rejected(summary);
            }
        }
        printer.progress().accept("undeploying deployment " + id + " of " + key() + (forget ? " and forgetting it" : ""));
        HttpResponse<String> r = api.send(HttpRequest.newBuilder(api.uri("/deployments/" + DeployerApi.enc(id)
                + "/?namespace=" + DeployerApi.enc(namespace) + (forget ? "&deleteDeployment=true" : ""))).DELETE());
        if (r.statusCode() == 204) {
            String summary = "deployment " + id + " of " + key() + " ran nothing: done";
            printer.progress().accept(summary);
            return Outcome.ok(summary).with("deploymentId", id);
        }
        if (r.statusCode() != 202) {
            return api.refused("undeploying " + id, r, printer.progress());
        }
        if (forget) {
            String summary = "undeploying " + key() + " (deployment " + id + ", forgotten when done)";
            printer.progress().accept(summary);
            return Outcome.ok(summary).with("deploymentId", id);
        }
        return new RestDeploy(api.base(), api.token(), Duration.ofSeconds(1), printer.progress(), printer.warnings())
                .follow(namespace, id, target.timeout);
    }
}
