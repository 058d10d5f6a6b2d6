package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.Names;

import java.nio.charset.StandardCharsets;

/**
 * A Unix socket path HAProxy can bind. The kernel limits a socket path to 107 bytes, and HAProxy
 * binds through {@code <path>.<pid>.tmp} before it renames the socket, so it refuses paths longer
 * than 97 bytes. Checked when the agent starts, so the message names the setting to change.
 */
public final class HaproxySocketPath {

    /** The longest socket path HAProxy 2.6 accepts (without a {@code unix-bind prefix}). */
    public static final int MAX_BYTES = 97;

    private HaproxySocketPath() {
    }

    /** {@code path} if it is a safe absolute path HAProxy can bind; else the reason and what to do. */
    public static String require(String path, String what) {
        Names.requireSafeFilePath(path);
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(what + " '" + path + "' is " + bytes + " bytes long, but HAProxy accepts at most "
                    + MAX_BYTES + " (a Unix socket path is limited to 107 bytes and HAProxy binds it as '<path>.<pid>.tmp'):"
                    + " choose a shorter path, for example under $XDG_RUNTIME_DIR or /tmp");
        }
        return path;
    }
}
