package io.bgdeploy.lbagent.haproxy;

import io.bgdeploy.events.HostName;
import io.bgdeploy.lbagent.model.RuntimeCommand;
import io.bgdeploy.lbagent.model.RuntimeState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's Runtime API on the current worker, reached through the master CLI ({@code @1 ...}):
 * sends {@link RuntimeCommand}s, and reads back the servers and the hosts map.
 */
public final class RuntimeApi {

    private static final Pattern MAP_VALUE = Pattern.compile("found=yes.*\\bvalue=\"([^\"]*)\"");

    private final MasterCli cli;

    public RuntimeApi(MasterCli cli) {
        this.cli = cli;
    }

    /** Sends a command; throws {@link RuntimeCommandFailed} with HAProxy's answer when it did not take effect. */
    public String execute(RuntimeCommand command) {
        String answer = cli.runtime(command.line()).strip();
        if (!command.succeeded(answer)) {
            throw new RuntimeCommandFailed(command, answer);
        }
        return answer;
    }

    /** Sends a command and returns HAProxy's answer, whatever it is. */
    public String send(RuntimeCommand command) {
        return cli.runtime(command.line()).strip();
    }

    /** The servers of the given sections (every section when {@code sections} is null) and the hosts map. */
    public RuntimeState read(String mapFile, Set<String> sections) {
        Map<String, Map<String, RuntimeState.Server>> servers = new LinkedHashMap<>();
        if (sections != null) {
            sections.forEach(s -> servers.put(s, new LinkedHashMap<>()));
        }
        for (ServersState.Line line : ServersState.parse(cli.runtime("show servers state"))) {
            if (sections == null || sections.contains(line.section())) {
                servers.computeIfAbsent(line.section(), k -> new LinkedHashMap<>()).put(line.server(),
                        new RuntimeState.Server(line.server(), line.address(), line.port(), !line.maintenance()));
            }
        }
        return new RuntimeState(readMap(mapFile), servers);
    }

    /** The servers of one section as HAProxy has them now. */
    public Map<String, RuntimeState.Server> servers(String section) {
        Map<String, RuntimeState.Server> byName = new LinkedHashMap<>();
        for (ServersState.Line line : ServersState.parse(cli.runtime("show servers state " + section))) {
            if (line.section().equals(section)) {
                byName.put(line.server(), new RuntimeState.Server(line.server(), line.address(), line.port(), !line.maintenance()));
            }
        }
        return byName;
    }

    /**
     * Every entry of the hosts map; a host listed twice maps to an empty section, which no layout has.
     * An entry that is no host name was not written by an agent (every host it writes is a
     * {@link HostName}) and no request's host can match it usefully: it is left out, and gone with
     * the next reload, which loads the map from the file.
     */
    public Map<HostName, String> readMap(String mapFile) {
        Map<HostName, String> map = new LinkedHashMap<>();
        for (String line : cli.runtime("show map " + mapFile).split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[0].startsWith("0x") && HostName.isValid(words[1])) {
                map.merge(HostName.of(words[1]), words[2], (a, b) -> "");
            }
        }
        return map;
    }

    /** The section a host maps to now, or null when it has no entry. */
    public String lookup(String mapFile, HostName host) {
        Matcher m = MAP_VALUE.matcher(cli.runtime("get map " + mapFile + " " + host));
        return m.find() ? m.group(1) : null;
    }

    /** HAProxy refused or did not understand a Runtime API command. */
    public static final class RuntimeCommandFailed extends RuntimeException {
        public RuntimeCommandFailed(RuntimeCommand command, String answer) {
            super("HAProxy answered '" + command.line() + "' with: " + (answer.isEmpty() ? "(nothing)" : answer));
        }
    }
}
