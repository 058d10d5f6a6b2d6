package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.events.lb.ServerSpec;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HAProxy backend section. The versions of an app take the slots of that app in turn: a new
 * version moves into a free slot by adding its servers at run time, and the switch points the
 * app's host at that slot. A backend that names no app (written by an older tool) has a slot of its
 * own, named after it.
 *
 * @param name      the HAProxy backend name: {@code be_<namespace>.<appName>.<n>} for an app's slot,
 *                  {@code be_<backendId>} for a backend of its own
 * @param app       the app whose versions take this slot; null for a backend of its own
 * @param backendId the backend in the slot now; null when the slot is free
 * @param options   the section's settings
 * @param servers   the servers of the backend in the slot (none when free)
 */
public record Slot(String name, AppRef app, String backendId, SlotOptions options, List<ServerSpec> servers) {

    /** Prefix of every backend section a host can be routed to; no other section has it. */
    public static final String PREFIX = "be_";
    private static final Pattern APP_SLOT = Pattern.compile("be_([a-z0-9-]+)\\.([a-z0-9-]+)\\.([1-9][0-9]{0,3})");

    public Slot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        servers = servers == null ? List.of() : List.copyOf(servers);
        if (backendId == null && !servers.isEmpty()) {
            throw new IllegalArgumentException("free slot " + name + " cannot have servers");
        }
    }

    public static String appSlotName(AppRef app, int number) {
        return PREFIX + app.namespace() + "." + app.appName() + "." + number;
    }

    public static String ownSlotName(String backendId) {
        return PREFIX + backendId;
    }

    /** The app and number of an app's slot name; empty for any other name. */
    public static java.util.Optional<Numbered> parse(String name) {
        Matcher m = APP_SLOT.matcher(name);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Numbered(new AppRef(m.group(1), m.group(2)), Integer.parseInt(m.group(3))));
    }

    /** An app's slot: which app, which number. */
    public record Numbered(AppRef app, int number) {
    }

    public boolean free() {
        return backendId == null;
    }

    /** This slot as HAProxy's file has it without what changes at run time (servers, who is in it). */
    public Slot structure() {
        return new Slot(name, app, null, options, List.of());
    }
}
