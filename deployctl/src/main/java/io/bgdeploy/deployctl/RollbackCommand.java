package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code deployctl rollback APP}: switches back to the previous version while it still runs. */
@Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Switches the app back to the previous version, which still runs during the drain delay after a switch,",
                "and waits until the deployment is rolled back. Exit status 0 when rolled back, 2 when the deployer refuses",
                "(the previous version no longer runs: redeploy it instead)."})
final class RollbackCommand extends AppCommand {

    @Mixin
    TargetOptions target;

    RollbackCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    Outcome run(DeployerApi api, Printer printer)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused {
        String id = target.deploymentId;
        if (id == null) {
            JsonNode newest = deployments(api, printer, 1);
            if (newest.isEmpty()) {
                return Outcome.rejected("no deployment of " + key() + " to roll back");
            }
            id = text(newest.get(0), "id");
        }
        printer.progress().accept("rolling back deployment " + id + " of " + key());
        HttpResponse<String> r = api.send(HttpRequest.newBuilder(api.uri("/deployments/" + DeployerApi.enc(id)
                + "/rollback?namespace=" + DeployerApi.enc(namespace))).POST(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() != 202) {
            return api.refused("rolling back " + id, r, printer.progress());
        }
        Outcome followed = new RestDeploy(api.base(), api.token(), Duration.ofSeconds(1), printer.progress(), printer.warnings())
                .follow(namespace, id, target.timeout);
        if (followed.exitCode() == Outcome.FAILURE) {
            return new Outcome(Outcome.OK, "rolled back " + key() + " (deployment " + id + ")", followed.details());
        }
        if (followed.exitCode() == Outcome.OK) {
            return new Outcome(Outcome.FAILURE, "deployment " + id + " ended DEPLOYED: the rollback came too late",
                    followed.details());
        }
        return followed;
    }
}
