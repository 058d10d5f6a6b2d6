package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.Keys.AppRef;

import java.util.List;

/**
 * Which backend is in which slot of an app now: what the planner keeps stable from one change to
 * the next. Read from the live haproxy.cfg when the agent starts.
 *
 * @param backendId null when the slot is free
 */
public record SlotAssignment(AppRef app, int number, String backendId) {

    /** The app slots of a layout and their occupants; slots of a backend of its own are left out. */
    public static List<SlotAssignment> of(ProxyLayout layout) {
        return layout.slots().stream().filter(s -> s.app() != null)
                .map(s -> new SlotAssignment(s.app(), Slot.parse(s.name()).orElseThrow().number(), s.backendId())).toList();
    }
}
