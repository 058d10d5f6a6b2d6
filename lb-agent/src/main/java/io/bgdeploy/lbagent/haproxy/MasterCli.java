package io.bgdeploy.lbagent.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
public final class MasterCli {

    /** What a command may contain: no line breaks or ';', which would start another command. */
    private static final Pattern SAFE = Pattern.compile("[@A-Za-z0-9 ._:/\\[\\]-]{1,2000}");
    private static final Pattern MAXCONN = Pattern.compile("^Maxconn: (\\d+)$", Pattern.MULTILINE);

    private final Path socket;

    public MasterCli(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public String send(String command) {
        return exchange(safe(command));
    }

    /**
     * Runtime API commands on the current worker, sent in one round trip and run in order; returns
     * the answer to each, in the same order. A command runs whatever the answer to the one before it.
     */
    public List<String> runtimeAll(List<String> commands) {
        StringBuilder line = new StringBuilder();
        for (String command : commands) {
            line.append(line.isEmpty() ? "" : "; ").append("@1 ").append(safe(command));
        }
        String answers = exchange(line.toString());
        List<String> split = WorkerAnswers.split(answers, commands.size());
        if (split == null) {
            throw new IllegalStateException("HAProxy gave " + commands.size() + " command(s) an answer that does not read as "
                    + commands.size() + " answer(s): " + answers.strip());
        }
        return split;
    }

    private static String safe(String command) {
        if (!SAFE.matcher(command).matches()) {
            throw new IllegalArgumentException("refusing to send an unexpected command to HAProxy: " + command);
        }
        return command;
    }

    private String exchange(String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy master socket " + socket + ": " + e.getMessage(), e);
        }
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

    /** A Runtime API command on the current worker. */
    public String runtime(String command) {
        return send("@1 " + command);
    }
}
