package io.bgdeploy.lbagent.haproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The Runtime API's {@code show servers state} (format 1): one line per server with, among others,
 * its section, name, address, administrative state and port.
 */
public final class ServersState {

    /** One server; {@code maintenance} when it was forced into maintenance (admin state bit 0x01). */
    public record Line(String section, String server, String address, int port, boolean maintenance) {
    }

    private ServersState() {
    }

    public static List<Line> parse(String text) {
        List<Line> lines = new ArrayList<>();
        String[] all = text.split("\n");
        if (all.length == 0 || !all[0].strip().equals("1")) {
            if (text.isBlank()) {
                return lines;
            }
            throw new IllegalStateException("unexpected answer to 'show servers state': " + firstLine(text));
        }
        for (int i = 1; i < all.length; i++) {
            String line = all[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w.length < 19) {
                throw new IllegalStateException("unexpected line in 'show servers state': " + line);
            }
            int admin = Integer.parseInt(w[6]);
            lines.add(new Line(w[1], w[3], w[4], Integer.parseInt(w[18]), (admin & 0x01) != 0));
        }
        return lines;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text.strip() : text.substring(0, nl).strip();
    }
}
