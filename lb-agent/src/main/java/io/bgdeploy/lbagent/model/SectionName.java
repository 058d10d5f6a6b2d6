package io.bgdeploy.lbagent.model;

/**
 * What a backend section name may be, in haproxy.cfg, in the hosts map and in Runtime API commands:
 * {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,254}}.
 */
public final class SectionName {

    private SectionName() {
    }

    /**
     * Checked by hand, not with a regular expression: this runs for every line of the hosts map,
     * which is written again at every switch (5,000 matchers per switch were a seventh of the
     * agent's garbage at 5,000 apps).
     */
    public static boolean isValid(String name) {
        if (name == null) {
            return false;
        }
        int length = name.length();
        if (length == 0 || length > 255) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || i > 0 && (c == '.' || c == '-');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
