package io.bgdeploy.infra;

import io.bgdeploy.infra.testing.KafkaTestClient;
import io.bgdeploy.infra.testing.SharedInfra;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real parts start, serve, stop and leave no process behind. */
class InfraProcessesTest {

    @TempDir
    Path dir;

    @Test
    void kafkaBrokerInKraftModeCarriesARecord() {
        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
            KafkaTestClient.produce(kafka.bootstrapServers(), "infra-test", "k", "hello");
            try (var reader = KafkaTestClient.reader(kafka.bootstrapServers(), "infra-test")) {
                var record = reader.await(r -> "k".equals(r.key()), Duration.ofSeconds(30));
                assertThat(record.value()).isEqualTo("hello");
            }
            long pid = kafka.process().pid();
            kafka.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void etcdSurvivesAKillAndRestartWithItsPorts() {
        try (EtcdServer etcd = EtcdServer.start(dir.resolve("etcd"))) {
            assertThat(etcd.isHealthy()).isTrue();
            etcd.kill();
            assertThat(etcd.isHealthy()).isFalse();
            etcd.restart();
            assertThat(etcd.isHealthy()).isTrue();
        }
    }

    @Test
    void haproxyReloadsWithoutClosingItsListener() throws Exception {
        int port = FreePorts.next();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(port, "one"));
        assertThat(HaproxyProcess.check(cfg)).isNull();
        try (HaproxyProcess haproxy = HaproxyProcess.start(dir.resolve("haproxy"), cfg)) {
            assertThat(get(port)).isEqualTo("one");
            Files.writeString(cfg, config(port, "two"));
            haproxy.reload();
            assertThat(haproxy.reloads()).isEqualTo(1);
            assertThat(get(port)).isEqualTo("two");
        }
        Files.writeString(cfg, "frontend broken\n  bind 127.0.0.1:" + port + "\n  no-such-directive\n");
        assertThat(HaproxyProcess.check(cfg)).contains("no-such-directive");
    }

    @Test
    void haproxyRunsFromAWorkingDirectoryOf150CharactersAndLeavesNoSocketBehind() throws Exception {
        Path deep = SharedInfra.workDirOfAtLeast("haproxy-deep", 150);
        assertThat(deep.toString()).hasSizeGreaterThanOrEqualTo(150);
        int port = FreePorts.next();
        Path cfg = deep.resolve("haproxy.cfg");
        Files.writeString(cfg, config(port, "deep"));
        Path socket;
        try (HaproxyProcess haproxy = HaproxyProcess.start(deep, cfg)) {
            socket = haproxy.masterSocket();
            assertThat(get(port)).isEqualTo("deep");
            assertThat(socket.toString().length()).isLessThanOrEqualTo(SocketDirectory.HAPROXY_MAX_SOCKET_PATH);
            assertThat(socket.startsWith(deep)).as("%s is below %s", socket, deep).isFalse();
            haproxy.reload();
            assertThat(get(port)).isEqualTo("deep");
        }
        assertThat(socket.getParent()).doesNotExist();
    }

    @Test
    void aSocketNameTooLongForHaproxyIsRefusedWithThePathAndTheLimit() {
        try (SocketDirectory sockets = SocketDirectory.create("names")) {
            String name = "s".repeat(SocketDirectory.HAPROXY_MAX_SOCKET_PATH);
            assertThatThrownBy(() -> sockets.socket(name))
                    .hasMessageContaining(sockets.path().resolve(name).toString())
                    .hasMessageContaining("at most " + SocketDirectory.HAPROXY_MAX_SOCKET_PATH);
        }
    }

    private static String config(int port, String body) {
        return String.join("\n",
                "global", "  maxconn 100",
                "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s",
                "frontend public", "  bind 127.0.0.1:" + port,
                "  http-request return status 200 content-type text/plain string " + body, "");
    }

    private static String get(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aManagedProcessIsOutOfReachOfASignalToThisJvmsProcessGroup(@TempDir Path dir) throws Exception {
        try (ManagedProcess sleeper = ManagedProcess.start("sleeper", List.of("sleep", "60"), Map.of(), dir,
                dir.resolve("sleeper.log"))) {
            // the pid is the command's own (setsid did not fork), in a process group and session of its own
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ProcessHandle.of(sleeper.pid())
                    .flatMap(h -> h.info().command())).hasValueSatisfying(c -> assertThat(c).endsWith("/sleep")));
            String[] child = stat(sleeper.pid());
            String[] self = stat(ProcessHandle.current().pid());
            assertThat(child[PGRP]).isEqualTo(String.valueOf(sleeper.pid())).isNotEqualTo(self[PGRP]);
            assertThat(child[SESSION]).isEqualTo(String.valueOf(sleeper.pid())).isNotEqualTo(self[SESSION]);
        }
    }

    /** Fields of /proc/PID/stat after the command name: 0 is the state, 2 the process group, 3 the session. */
    private static String[] stat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static final int PGRP = 2;
    private static final int SESSION = 3;
}
