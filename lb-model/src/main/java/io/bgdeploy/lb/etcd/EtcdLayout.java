package io.bgdeploy.lb.etcd;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.Names;

/**
 * Where everything lives in etcd.
 *
 * <pre>
 * /proxy/frontends/&lt;hostname&gt;                 reference layout (confd templates read it)
 * /proxy/backends/&lt;backendId&gt;/&lt;server&gt;       reference layout
 * /bgdeploy/lb/config/frontends/&lt;hostname&gt;    options the reference layout lacks (TLS, sticky, headers)
 * /bgdeploy/lb/config/backends/&lt;backendId&gt;    backend options (health check, headers); a backend exists with no servers
 * /bgdeploy/lb/config/generation             written by every command: the compare-and-swap guard, and a
 *                                            change every agent sees even when a command changed nothing else
 * /bgdeploy/lb/commands/&lt;commandId&gt;          outcome of a command (idempotency)
 * /bgdeploy/lb/agents-expected/&lt;agentId&gt;     every agent that ever registered, kept until an operator removes it
 * /bgdeploy/lb/agents/&lt;agentId&gt;              live agents (bound to each agent's lease)
 * /bgdeploy/lb/applied/&lt;agentId&gt;             the revision each agent's HAProxy serves (same lease)
 * /bgdeploy/compaction                       the revision up to which etcd's history was last compacted, and
 *                                            the compare-and-swap that lets one lb-config-service instance per
 *                                            round compact it
 * </pre>
 *
 * The agent watches {@link #PROXY} and {@link #CONFIG}: everything that can change haproxy.cfg.
 */
public final class EtcdLayout {

    public static final String PROXY = "/proxy/";
    public static final String PROXY_FRONTENDS = PROXY + "frontends/";
    public static final String PROXY_BACKENDS = PROXY + "backends/";
    public static final String OWN = "/bgdeploy/lb/";
    public static final String CONFIG = OWN + "config/";
    public static final String CONFIG_FRONTENDS = CONFIG + "frontends/";
    public static final String CONFIG_BACKENDS = CONFIG + "backends/";
    public static final String GENERATION = CONFIG + "generation";
    public static final String COMMANDS = OWN + "commands/";
    /** Sorts before {@link #AGENTS} ('-' before '/'), so one range covers the expected, the live and their progress. */
    public static final String EXPECTED = OWN + "agents-expected/";
    public static final String AGENTS = OWN + "agents/";
    public static final String APPLIED = OWN + "applied/";
    /** Outside every watched range: a compaction round changes no view. */
    public static final String COMPACTION = "/bgdeploy/compaction";

    private EtcdLayout() {
    }

    public static String proxyFrontend(HostName host) {
        return PROXY_FRONTENDS + host.value();
    }

    public static String configFrontend(HostName host) {
        return CONFIG_FRONTENDS + host.value();
    }

    /** The prefix of a backend's servers, with the trailing slash so that "a-1" never matches "a-10". */
    public static String proxyBackend(String backendId) {
        return PROXY_BACKENDS + Names.requireBackendId(backendId) + "/";
    }

    public static String proxyServer(String backendId, String server) {
        return proxyBackend(backendId) + Names.requireServerName(server);
    }

    public static String configBackend(String backendId) {
        return CONFIG_BACKENDS + Names.requireBackendId(backendId);
    }

    /** Command ids are free text from the producer; they are kept in a key only if they are plain. */
    public static String command(String commandId) {
        if (commandId == null || !commandId.matches("[A-Za-z0-9._:-]{1,200}")) {
            throw new IllegalArgumentException("commandId '" + Names.printable(commandId)
                    + "' is not valid: use up to 200 letters, digits, '.', '_', ':' and '-' (a UUID fits)");
        }
        return COMMANDS + commandId;
    }

    public static String expected(String agentId) {
        return EXPECTED + Names.requireServerName(agentId);
    }

    public static String agent(String agentId) {
        return AGENTS + Names.requireServerName(agentId);
    }

    public static String applied(String agentId) {
        return APPLIED + Names.requireServerName(agentId);
    }
}
