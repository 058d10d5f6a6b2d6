package io.bgdeploy.lbagent.haproxy;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's master CLI (the {@code -S} socket of master-worker mode): one connection per call,
 * half-closed after sending so the master answers and closes. {@code @1 <cmd>} reaches the Runtime
 * API of the current worker. Several commands go in one call separated by ';' (one round trip);
 * the worker ends each answer with an empty line, which is how their answers are told apart.
 */
public final class MasterCli implements RuntimeCli {

    private static final Pattern MAXCONN = Pattern.compile("^Maxconn: (\\d+)$", Pattern.MULTILINE);

    private final Path socket;

    public MasterCli(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public String send(String command) {
        return CliSocket.exchange(socket, CliSocket.safe(command));
    }

    @Override
    public List<String> runtimeAll(List<String> commands) {
        StringBuilder line = new StringBuilder();
        for (String command : commands) {
            line.append(line.isEmpty() ? "" : "; ").append("@1 ").append(CliSocket.safe(command));
        }
        return WorkerAnswers.splitAll(CliSocket.exchange(socket, line.toString()), commands.size());
    }

    public ProcStatus showProc() {
        return ProcStatus.parse(send("show proc"));
    }

    /**
     * The {@code maxconn} the current worker runs with ({@code show info}): what its configuration
     * asked for, or what HAProxy made of it.
     */
    public int workerMaxConnections() {
        String info = runtime("show info");
        Matcher m = MAXCONN.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no Maxconn in HAProxy's 'show info': " + info.strip());
        }
        return Integer.parseInt(m.group(1));
    }

    /** A Runtime API command on the current worker, relayed by the master. */
    @Override
    public String runtime(String command) {
        return send("@1 " + command);
    }
}
