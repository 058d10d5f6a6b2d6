package io.bgdeploy.lbagent.model;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One command of HAProxy's Runtime API, built from validated values only. The Runtime API reads a
 * line as words separated by spaces, several commands separated by ';', and a backslash escapes:
 * every word here is checked to hold none of those (nor a quote, '#', '$', '%' or a control
 * character), the same rule the rendered file follows, so no value can add a word or a command.
 * Each command also knows which answer means it worked.
 */
public sealed interface RuntimeCommand {

    /** What a word of a command may contain. */
    Pattern WORD = Pattern.compile("[A-Za-z0-9._:/@\\[\\]-]{1,1100}");
    /** The command line, without the {@code @1} that routes it to the current worker. */
    String line();

    /** True when HAProxy's answer to {@link #line()} says the command took effect. */
    boolean succeeded(String answer);

    /**
     * Adds a server in maintenance; enabling its health checks and the server itself follow ({@link OnServer}).
     * A server added at run time does not take the section's {@code default-server} settings, so the
     * check's interval and thresholds are given here, as the file gives them.
     *
     * @param checkIntervalMillis how often it is checked when {@code check}: 100 ms to 1 h
     */
    record AddServer(String section, String server, String address, int port, boolean check, int checkIntervalMillis)
            implements RuntimeCommand {

        public AddServer {
            requireEndpoint(section, server, address, port);
            HealthCheckInterval.requireValid(checkIntervalMillis);
        }

        public AddServer(String section, String server, String address, int port, boolean check) {
            this(section, server, address, port, check, HealthCheckInterval.DEFAULT_MILLIS);
        }

        @Override
        public String line() {
            return words("add server " + section + "/" + server + " " + endpoint(address, port)
                    + (check ? " check inter " + checkIntervalMillis + "ms fall 3 rise 2" : ""));
        }

        @Override
        public boolean succeeded(String answer) {
            return answer.contains("New server registered");
        }
    }

    /** A command on one server of a section. */
    record OnServer(Action action, String section, String server) implements RuntimeCommand {

        /** What is done to the server. */
        public enum Action {
            /** Starts the health checks of a server added with {@code check}. */
            ENABLE_HEALTH("enable health "),
            /** Takes a server out of maintenance: it gets traffic (and health checks) again. */
            ENABLE("enable server "),
            /** Puts a server into maintenance: no new request goes to it. */
            MAINTENANCE("set server "),
            /** Ends the sessions still on a server in maintenance, once it had its time to drain. */
            SHUTDOWN_SESSIONS("shutdown sessions server "),
            /** Removes a server in maintenance; refused while it still has connections. */
            DELETE("del server ");

            private final String verb;

            Action(String verb) {
                this.verb = verb;
            }
        }

        public OnServer {
            java.util.Objects.requireNonNull(action, "action");
            requireSection(section);
            Names.requireServerName(server);
        }

        @Override
        public String line() {
            return words(action.verb + section + "/" + server + (action == Action.MAINTENANCE ? " state maint" : ""));
        }

        @Override
        public boolean succeeded(String answer) {
            return action == Action.DELETE ? answer.contains("Server deleted") || answer.contains("No such server")
                    : answer.isBlank();
        }

        /** The answer of HAProxy to a delete while connections are attached: try again later. */
        public static boolean stillConnected(String answer) {
            return answer.contains("still has connections");
        }
    }

    static OnServer enableHealth(String section, String server) {
        return new OnServer(OnServer.Action.ENABLE_HEALTH, section, server);
    }

    static OnServer enableServer(String section, String server) {
        return new OnServer(OnServer.Action.ENABLE, section, server);
    }

    static OnServer maintenance(String section, String server) {
        return new OnServer(OnServer.Action.MAINTENANCE, section, server);
    }

    static OnServer shutdownSessions(String section, String server) {
        return new OnServer(OnServer.Action.SHUTDOWN_SESSIONS, section, server);
    }

    static OnServer delete(String section, String server) {
        return new OnServer(OnServer.Action.DELETE, section, server);
    }

    record SetServerAddress(String section, String server, String address, int port) implements RuntimeCommand {
        public SetServerAddress {
            requireEndpoint(section, server, address, port);
        }

        @Override
        public String line() {
            return words("set server " + section + "/" + server + " addr " + address + " port " + port);
        }

        @Override
        public boolean succeeded(String answer) {
            return answer.contains("changed") || answer.startsWith("no need to change");
        }
    }

    /** Points a host at a section: {@code set map} for a host the map has (the switch), {@code add map} for a new one. */
    record MapEntry(boolean add, String mapFile, HostName host, String section) implements RuntimeCommand {
        public MapEntry {
            Names.requireSafeFilePath(mapFile);
            Objects.requireNonNull(host, "host");
            requireSection(section);
        }

        @Override
        public String line() {
            return words((add ? "add map " : "set map ") + mapFile + " " + host + " " + section);
        }

        @Override
        public boolean succeeded(String answer) {
            return answer.isBlank();
        }
    }

    /** Removes every entry of a host (also duplicates, should there be any). */
    record DeleteMapEntry(String mapFile, HostName host) implements RuntimeCommand {
        public DeleteMapEntry {
            Names.requireSafeFilePath(mapFile);
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String line() {
            return words("del map " + mapFile + " " + host);
        }

        @Override
        public boolean succeeded(String answer) {
            return answer.isBlank() || answer.contains("not found");
        }
    }

    private static void requireEndpoint(String section, String server, String address, int port) {
        requireSection(section);
        Names.requireServerName(server);
        Names.requireIpAddress(address);
        Names.requirePort(port, "server port");
    }

    private static String requireSection(String name) {
        if (!SectionName.isValid(name)) {
            throw new IllegalArgumentException("backend section '" + Names.printable(name)
                    + "' is not valid: use letters, digits, '.', '_' and '-'");
        }
        return name;
    }

    private static String endpoint(String address, int port) {
        return (address.contains(":") ? "ipv6@[" + address + "]" : address) + ":" + port;
    }

    /** The line, checked word by word; a word that could change its meaning is refused. */
    private static String words(String line) {
        for (String word : line.split(" ", -1)) {
            if (!WORD.matcher(word).matches()) {
                throw new IllegalArgumentException("refusing a Runtime API command with the word '" + Names.printable(word)
                        + "': only letters, digits and . _ : / @ [ ] - may be sent");
            }
        }
        return line;
    }
}
