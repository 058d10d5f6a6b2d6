package io.bgdeploy.localplatform;

import java.lang.System.Logger.Level;

/**
 * The platform's log lines, printf-style, through the JDK's {@link System.Logger}: no logging
 * library on this module's path, and a host that routes {@code java.util.logging} (Quarkus does)
 * gets them in its own log. A line is formatted only when its level is enabled.
 */
final class Log {

    private final System.Logger logger;

    private Log(System.Logger logger) {
        this.logger = logger;
    }

    static Log of(Class<?> owner) {
        return new Log(System.getLogger(owner.getName()));
    }

    void info(String format, Object... args) {
        log(Level.INFO, format, args);
    }

    void warn(String format, Object... args) {
        log(Level.WARNING, format, args);
    }

    void debug(String format, Object... args) {
        log(Level.DEBUG, format, args);
    }

    private void log(Level level, String format, Object... args) {
        if (logger.isLoggable(level)) {
            logger.log(level, args.length == 0 ? format : String.format(format, args));
        }
    }
}
