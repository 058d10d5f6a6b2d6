package io.bgdeploy.lbagent.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out whether two rendered files differ only in the address or port of existing servers;
 * such a change goes through the Runtime API ({@code set server <be>/<srv> addr <ip> port <port>})
 * instead of a reload. Anything else (a server added or removed, any other line) needs a reload.
 */
public final class ServerChanges {

    private static final Pattern SERVER = Pattern.compile("^    server (\\S+) (ipv6@\\[([^\\]]+)\\]|([0-9.]+)):(\\d+)(.*)$");
    private static final Pattern BACKEND = Pattern.compile("^backend (\\S+)$");

    /** One server that moved. */
    public record Change(String backend, String server, String address, int port) {
        public String command() {
            return "set server " + backend + "/" + server + " addr " + address + " port " + port;
        }
    }

    private ServerChanges() {
    }

    /** The server moves that turn {@code live} into {@code next}; empty if a reload is needed. */
    public static Optional<List<Change>> between(String live, String next) {
        String[] a = live.split("\n", -1);
        String[] b = next.split("\n", -1);
        if (a.length != b.length) {
            return Optional.empty();
        }
        List<Change> changes = new ArrayList<>();
        String backend = null;
        for (int i = 0; i < a.length; i++) {
            Matcher be = BACKEND.matcher(a[i]);
            if (be.matches()) {
                backend = be.group(1);
            }
            if (a[i].equals(b[i])) {
                continue;
            }
            Matcher x = SERVER.matcher(a[i]);
            Matcher y = SERVER.matcher(b[i]);
            if (backend == null || !x.matches() || !y.matches() || !x.group(1).equals(y.group(1))
                    || !x.group(6).equals(y.group(6))) {
                return Optional.empty();
            }
            String address = y.group(3) != null ? y.group(3) : y.group(4);
            changes.add(new Change(backend, y.group(1), address, Integer.parseInt(y.group(5))));
        }
        return changes.isEmpty() ? Optional.empty() : Optional.of(changes);
    }
}
