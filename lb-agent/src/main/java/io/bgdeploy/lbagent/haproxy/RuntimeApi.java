package io.bgdeploy.lbagent.haproxy;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;
import io.bgdeploy.lbagent.model.RuntimeCommand;
import io.bgdeploy.lbagent.model.RuntimeState;
import io.bgdeploy.lbagent.model.SectionName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's Runtime API on the current worker ({@link RuntimeCli}): sends {@link RuntimeCommand}s,
 * and reads back the servers and the hosts map.
 */
public final class RuntimeApi {

    private static final Pattern MAP_VALUE = Pattern.compile("found=yes.*\\bvalue=\"([^\"]*)\"");

    private final RuntimeCli cli;

    public RuntimeApi(RuntimeCli cli) {
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

    /**
     * What {@link #applyAndRead} read back after its commands.
     *
     * @param hosts   the section each host asked for maps to now (absent: no entry)
     * @param servers the servers of each section asked for, by name
     */
    public record ReadBack(Map<HostName, String> hosts, Map<String, Map<String, RuntimeState.Server>> servers) {
    }

    /**
     * Sends the commands, then reads the entries of {@code hosts} and the servers of {@code sections},
     * all in one round trip. Throws {@link RuntimeCommandFailed} for the first command whose answer
     * says it did not take effect; what was read back then is not trusted.
     */
    public ReadBack applyAndRead(List<RuntimeCommand> commands, String mapFile, Set<HostName> hosts, Set<String> sections) {
        List<String> lines = new ArrayList<>();
        commands.forEach(c -> lines.add(c.line()));
        List<HostName> hostOrder = List.copyOf(hosts);
        List<String> sectionOrder = List.copyOf(sections);
        hostOrder.forEach(h -> lines.add(lookupLine(mapFile, h)));
        sectionOrder.forEach(s -> lines.add(serversLine(s)));
        List<String> answers = cli.runtimeAll(lines);
        for (int i = 0; i < commands.size(); i++) {
            String answer = answers.get(i).strip();
            if (!commands.get(i).succeeded(answer)) {
                throw new RuntimeCommandFailed(commands.get(i), answer);
            }
        }
        int at = commands.size();
        Map<HostName, String> mapped = new LinkedHashMap<>();
        for (HostName host : hostOrder) {
            String section = mapValue(answers.get(at++));
            if (section != null) {
                mapped.put(host, section);
            }
        }
        Map<String, Map<String, RuntimeState.Server>> servers = new LinkedHashMap<>();
        for (String section : sectionOrder) {
            servers.put(section, serversOf(section, answers.get(at++)));
        }
        return new ReadBack(mapped, servers);
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

    private static String serversLine(String section) {
        if (!SectionName.isValid(section)) {
            throw new IllegalArgumentException("not a backend section: " + section);
        }
        return "show servers state " + section;
    }

    private static Map<String, RuntimeState.Server> serversOf(String section, String answer) {
        Map<String, RuntimeState.Server> byName = new LinkedHashMap<>();
        for (ServersState.Line line : ServersState.parse(answer)) {
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

    private static String lookupLine(String mapFile, HostName host) {
        return "get map " + Names.requireSafeFilePath(mapFile) + " " + host;
    }

    /** The section a {@code get map} answer names, or null when the host has no entry. */
    private static String mapValue(String answer) {
        Matcher m = MAP_VALUE.matcher(answer);
        return m.find() ? m.group(1) : null;
    }

    /** HAProxy refused or did not understand a Runtime API command. */
    public static final class RuntimeCommandFailed extends RuntimeException {
        public RuntimeCommandFailed(RuntimeCommand command, String answer) {
            super("HAProxy answered '" + command.line() + "' with: " + (answer.isEmpty() ? "(nothing)" : answer));
        }
    }
}
