package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.lb.HttpHeader;

import java.util.List;

/**
 * What HAProxy keeps per backend section and cannot change at run time: changing any of it
 * rewrites the section, which takes a reload.
 *
 * @param compression     gzip responses (the backend's own setting, or that of a frontend routing to the app)
 * @param sticky          pin a client to a server with a cookie (a frontend routing to the app asks for it)
 * @param healthCheckPath HTTP path HAProxy checks on each server; null: no HTTP check
 * @param headers         response headers the backend sets
 */
public record SlotOptions(boolean compression, boolean sticky, String healthCheckPath, List<HttpHeader> headers) {

    public SlotOptions {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }
}
