package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.bgdeploy.events.EventCodec;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.util.Map;

/** {@code deployctl status APP}: the version that serves, its pods, the last deployment. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Shows the version of the app that serves now, how many of its pods are ready, and the last deployment.",
                "Exit status 0 when a version serves, 1 when none does, 2 when the deployer knows no such app."})
final class StatusCommand extends AppCommand {

    StatusCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    Outcome run(DeployerApi api, Printer printer)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused {
        JsonNode apps = api.getJson("/apps/?namespace=" + DeployerApi.enc(namespace), "reading the apps of " + namespace,
                printer.progress());
        JsonNode found = null;
        for (JsonNode a : apps) {
            if (app.equals(text(a, "appName"))) {
                found = a;
            }
        }
        if (found == null) {
            String summary = "the deployer knows no app " + key() + ": no descriptor and no deployment";
            printer.progress().accept(summary);
            return Outcome.rejected(summary);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> details = EventCodec.mapper().convertValue(found, Map.class);
        String serving = text(found, "servingVersion");
        JsonNode last = found.get("lastDeployment");
        String lastLine = last == null || last.isNull() ? "no deployment yet"
                : "last deployment " + text(last, "id") + " version " + text(last, "version") + " " + text(last, "status")
                + (text(last, "phase") == null ? "" : " (" + text(last, "phase") + ")")
                + (text(last, "reason") == null ? "" : ": " + text(last, "reason"));
        Outcome outcome;
        if (serving != null) {
            String pods = found.has("podsReady") ? ", " + found.get("podsReady").asLong() + " of "
                    + found.path("replicas").asInt() + " pod(s) ready" : "";
            outcome = Outcome.ok(key() + ": version " + serving + " serves (deployment " + text(found, "servingDeploymentId")
                    + ")" + pods + (text(found, "frontend") == null ? "" : ", frontend " + text(found, "frontend")));
        } else {
            outcome = Outcome.failure(key() + ": no version serves");
        }
        printer.progress().accept(outcome.summary());
        printer.progress().accept("  " + lastLine);
        Outcome result = outcome;
        for (Map.Entry<String, Object> e : details.entrySet()) {
            result = result.with(e.getKey(), e.getValue());
        }
        return result;
    }
}
