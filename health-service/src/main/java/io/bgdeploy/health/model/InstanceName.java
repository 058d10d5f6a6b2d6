package io.bgdeploy.health.model;

import io.bgdeploy.events.Names;

/** The name this health-service instance signs its reports with, shown on every dashboard. */
public record InstanceName(String value) {

    public InstanceName {
        Names.requireText(value, "instance name");
    }
}
