package io.bgdeploy.infra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An isolated host reaches the services on the host's loopback as another machine would, loses
 * them all when cut off, gets them back when healed, and leaves nothing behind.
 */
class IsolatedHostTest {

    @Test
    void reachesTheHostsLoopbackUntilCutOffAndAgainOnceHealed() throws Exception {
        assumeTrue(IsolatedHost.unavailableBecause() == null, IsolatedHost::unavailableBecause);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread greeter = new Thread(() -> greet(server), "greeter");
            greeter.setDaemon(true);
            greeter.start();
            String namespace;
            String hostLink;
            String rulesWhileUp;
            try (IsolatedHost host = IsolatedHost.create()) {
                namespace = host.namespace();
                hostLink = host.hostLink();
                rulesWhileUp = hostRules();
                assertThat(readFromLoopback(host, server.getLocalPort())).isEqualTo("hello");

                host.cut();
                assertThat(readFromLoopback(host, server.getLocalPort())).startsWith("failed");

                host.heal();
                assertThat(readFromLoopback(host, server.getLocalPort())).isEqualTo("hello");
            }
            assertThat(run(List.of("ip", "netns", "list"))).doesNotContain(namespace);
            // other isolated hosts (a test run beside this one) may have rules of their own
            assertThat(rulesWhileUp).contains("-i " + hostLink + " ").contains("DNAT");
            assertThat(hostRules()).doesNotContain("-i " + hostLink + " ");
        }
    }

    private static void greet(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** What a client on the isolated host reads from 127.0.0.1:port within 3 s, or "failed ...". */
    private static String readFromLoopback(IsolatedHost host, int port) throws Exception {
        List<String> cmd = new ArrayList<>(host.commandPrefix());
        cmd.addAll(List.of("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && cat <&3"));
        return run(cmd);
    }

    private static String hostRules() throws Exception {
        return run(List.of("iptables", "-t", "nat", "-S", "PREROUTING"));
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("%s exits", command).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? out : "failed (exit " + p.exitValue() + "): " + out;
    }
}
