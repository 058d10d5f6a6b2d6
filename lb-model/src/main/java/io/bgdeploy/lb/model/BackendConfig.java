package io.bgdeploy.lb.model;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.BackendSpec;

import java.util.Objects;

/**
 * A backend as stored: its servers and options, and the app it is a version of. Versions of one
 * app take turns in the same HAProxy backend sections, so a new version needs no reload. A
 * backend written by an older tool names no app; it then has a section of its own.
 *
 * @param app the app this backend is a version of; null when the writer did not say
 */
public record BackendConfig(BackendSpec spec, AppRef app) {

    public BackendConfig {
        Objects.requireNonNull(spec, "spec is required");
    }

    public String id() {
        return spec.id();
    }
}
