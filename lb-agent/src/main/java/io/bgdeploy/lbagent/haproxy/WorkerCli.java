package io.bgdeploy.lbagent.haproxy;

import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's Runtime API straight on the current worker's own stats socket, rather than relayed by
 * the master ({@code @1}, {@link MasterCli}): one process less on the path of every change, and
 * the master's relay was milliseconds in the tail of a switch.
 *
 * <p>The socket is handed from worker to worker at each reload, and for a moment both may accept
 * on it: commands answered by the old worker would be lost with it. So every call proves who ran
 * it: it starts with {@code show info}, run in the same session as the commands, whose {@code Pid}
 * must be the worker the master last named as current ({@link #currentWorker}). It goes first
 * because its answer always ends with an empty line, where the answers of {@code del server}
 * ({@code "Server deleted."}, {@code "No such server."}) end with none; what follows it is read as the
 * master's relay of the same commands would be. When it is another
 * process, when the socket does not answer, or when no current worker is known, the call goes
 * through the master, which always reaches the current worker; commands that an old worker ran
 * change nothing that serves.
 */
public final class WorkerCli implements RuntimeCli {

    private static final Logger LOG = Logger.getLogger(WorkerCli.class);
    private static final Pattern PID = Pattern.compile("^Pid: (\\d+)$", Pattern.MULTILINE);

    private final Path socket;
    private final MasterCli master;
    private volatile long currentWorker;

    /** @param socket the workers' stats socket ({@code level admin}); null: every call goes through the master */
    public WorkerCli(Path socket, MasterCli master) {
        this.socket = socket;
        this.master = master;
    }

    /**
     * The worker the master names as current; the calls after it are trusted only from that
     * process. 0 (or more than one current worker): none, every call goes through the master.
     */
    public void currentWorker(ProcStatus proc) {
        currentWorker = proc.workers().size() == 1 ? proc.workers().get(0) : 0;
    }

    /** A command's answer, whatever it is, as {@link MasterCli#runtime} gives it. */
    @Override
    public String runtime(String command) {
        String answer = direct(List.of(command));
        return answer != null ? answer : master.runtime(command);
    }

    @Override
    public List<String> runtimeAll(List<String> commands) {
        String answers = direct(commands);
        return answers == null ? master.runtimeAll(commands) : WorkerAnswers.splitAll(answers, commands.size());
    }

    /**
     * What the current worker answered to the commands, all of it, when it ran them; null when no
     * current worker is known, the socket did not answer, or another process ran them.
     */
    private String direct(List<String> commands) {
        long expected = currentWorker;
        if (socket == null || expected <= 0) {
            return null;
        }
        StringBuilder line = new StringBuilder("show info");
        for (String command : commands) {
            line.append("; ").append(CliSocket.safe(command));
        }
        String text;
        try {
            text = CliSocket.exchange(socket, line.toString());
        } catch (UncheckedIOException notAnswering) {
            LOG.debugf("worker socket %s does not answer (%s); through the master", socket, notAnswering.getMessage());
            return null;
        }
        int infoEnd = text.indexOf("\n\n");
        Matcher pid = PID.matcher(infoEnd < 0 ? "" : text.substring(0, infoEnd + 1));
        long answeredBy = pid.find() ? Long.parseLong(pid.group(1)) : -1;
        if (answeredBy != expected) {
            LOG.debugf("worker socket %s answered from process %d, not the current worker %d; through the master", socket,
                    answeredBy, expected);
            return null;
        }
        return text.substring(infoEnd + 2);
    }
}
