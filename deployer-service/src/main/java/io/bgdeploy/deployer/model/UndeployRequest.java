package io.bgdeploy.deployer.model;

/**
 * Who asked to undeploy a deployment, and whether its record goes too; stored so that the
 * instance that runs the undeploy (possibly after another stopped) knows.
 */
public record UndeployRequest(String by, boolean forget) {
}
