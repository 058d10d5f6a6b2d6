package io.bgdeploy.lbagent.haproxy;

import io.bgdeploy.infra.FreePorts;
import io.bgdeploy.infra.SocketDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Runtime API straight on the worker's socket, against a real HAProxy in master-worker mode:
 * used only when the answer comes from the worker the master names as current, else through the
 * master. A master socket where nothing listens tells which way a call went.
 */
class WorkerCliTest {

    private static final String HOST = "shop.example.com";

    private static SocketDirectory sockets;
    private static Path map;
    private static Process haproxy;
    private static MasterCli master;
    private static Path workerSocket;
    private static MasterCli nowhere;
    private static int publicPort;

    @BeforeAll
    static void start() throws Exception {
        sockets = SocketDirectory.create("worker-cli");
        Path dir = Files.createTempDirectory("worker-cli");
        map = dir.resolve("hosts.map");
        Files.writeString(map, HOST + " blue\n");
        workerSocket = sockets.socket("master-worker.sock");
        publicPort = FreePorts.next();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                    master-worker
                    stats socket %s mode 600 level admin
                    hard-stop-after 30s
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                frontend public
                    bind 127.0.0.1:%d
                    use_backend %%[req.hdr(host),lower,map(%s,blue)]
                backend blue
                    server s1 127.0.0.1:1
                backend green
                    server s1 127.0.0.1:2
                """.formatted(workerSocket, publicPort, map));
        Path masterSocket = sockets.socket("master.sock");
        haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-W", "-S", masterSocket + ",level,admin", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
        master = new MasterCli(masterSocket);
        nowhere = new MasterCli(sockets.socket("nobody-listens.sock"));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> master.showProc().workers().size() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        List<ProcessHandle> workers = haproxy.descendants().toList();
        haproxy.destroy();
        if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
            haproxy.destroyForcibly();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
        sockets.close();
    }

    @Test
    void theCurrentWorkerAnswersOnItsOwnSocketWithoutTheMaster() {
        WorkerCli cli = new WorkerCli(workerSocket, nowhere);
        cli.currentWorker(master.showProc());

        List<String> answers = cli.runtimeAll(List.of("set map " + map + " " + HOST + " green", "get map " + map + " " + HOST));

        assertThat(answers).hasSize(2);
        assertThat(answers.get(0)).isBlank();
        assertThat(answers.get(1)).contains("value=\"green\"");
        assertThat(master.runtime("get map " + map + " " + HOST)).contains("value=\"green\"");
        assertThat(cli.runtime("show map " + map)).contains(HOST + " green");
    }

    @Test
    void anErrorAnswerWithoutItsEmptyLineReadsAsTheMastersRelayReadsIt() {
        WorkerCli cli = new WorkerCli(workerSocket, nowhere);
        cli.currentWorker(master.showProc());

        String answer = cli.runtime("del server blue/nosuch");

        assertThat(answer).isEqualTo(master.runtime("del server blue/nosuch")).startsWith("No such server");
        assertThat(cli.runtime("set server blue/s1 state maint")).isBlank();
        assertThat(cli.runtime("del server blue/s1")).isEqualTo("Server deleted.\n");
        assertThat(cli.runtime("show servers state blue")).doesNotContain(" s1 ");
    }

    @Test
    void anAnswerFromAnotherProcessIsNotTrustedAndTheCallGoesThroughTheMaster() {
        long worker = master.showProc().workers().get(0);
        ProcStatus anotherWorker = new ProcStatus(1, 0, 0, List.of(worker + 1));

        WorkerCli withoutMaster = new WorkerCli(workerSocket, nowhere);
        withoutMaster.currentWorker(anotherWorker);
        assertThatThrownBy(() -> withoutMaster.runtime("show map " + map)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("nobody-listens.sock");

        WorkerCli cli = new WorkerCli(workerSocket, master);
        cli.currentWorker(anotherWorker);
        assertThat(cli.runtimeAll(List.of("set map " + map + " " + HOST + " blue", "get map " + map + " " + HOST)).get(1))
                .contains("value=\"blue\"");
    }

    @Test
    void withNoCurrentWorkerKnownOrNoSocketEveryCallGoesThroughTheMaster() {
        WorkerCli unknown = new WorkerCli(workerSocket, nowhere);
        assertThatThrownBy(() -> unknown.runtime("show map " + map)).isInstanceOf(UncheckedIOException.class);
        WorkerCli twoCurrent = new WorkerCli(workerSocket, nowhere);
        long worker = master.showProc().workers().get(0);
        twoCurrent.currentWorker(new ProcStatus(1, 0, 0, List.of(worker, worker + 1)));
        assertThatThrownBy(() -> twoCurrent.runtime("show map " + map)).isInstanceOf(UncheckedIOException.class);

        WorkerCli noSocket = new WorkerCli(null, master);
        noSocket.currentWorker(master.showProc());
        assertThat(noSocket.runtime("show map " + map)).contains(HOST);
    }

    @Test
    void aSocketThatDoesNotAnswerSendsTheCallThroughTheMaster() {
        WorkerCli cli = new WorkerCli(sockets.socket("gone-worker.sock"), master);
        cli.currentWorker(master.showProc());
        assertThat(cli.runtime("show map " + map)).contains(HOST);
    }

    @Test
    void aCommandThatWouldStartAnotherIsRefusedBeforeAnythingIsSent() {
        WorkerCli cli = new WorkerCli(workerSocket, master);
        cli.currentWorker(master.showProc());
        String was = master.runtime("get map " + map + " " + HOST);
        for (String hostile : List.of("get map " + map + " " + HOST + "; set map " + map + " " + HOST + " other",
                "get map " + map + " " + HOST + "\nset map " + map + " " + HOST + " other",
                "set map " + map + " " + HOST + " \"other\"")) {
            assertThatThrownBy(() -> cli.runtime(hostile)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("refusing");
        }
        assertThat(master.runtime("get map " + map + " " + HOST)).isEqualTo(was);
    }

    @Test
    void afterAReloadOnlyTheNewWorkersAnswersAreTrusted() throws Exception {
        ProcStatus before = master.showProc();
        // a connection held open keeps the old worker alive after the reload, still holding the socket it handed on
        try (Socket ignored = new Socket("127.0.0.1", publicPort)) {
            master.send("reload");
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> master.showProc().confirmsReloadAfter(before));
            ProcStatus after = master.showProc();
            WorkerCli cli = new WorkerCli(workerSocket, master);
            cli.currentWorker(after);
            for (int i = 0; i < 50; i++) {
                String section = i % 2 == 0 ? "green" : "blue";
                cli.runtime("set map " + map + " " + HOST + " " + section);
                assertThat(master.runtime("get map " + map + " " + HOST)).as("switch %d", i).contains("value=\"" + section + "\"");
            }
        }
    }
}
