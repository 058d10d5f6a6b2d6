package io.bgdeploy.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second machine on this one: a network namespace joined to this host by a veth pair, which can
 * be cut off ({@code ip link set down} on its side of the pair, so its peers see it vanish without
 * closing a connection) and joined again.
 *
 * <p>Processes started with {@link #commandPrefix()} run on it. Its {@code 127.0.0.1} is the host's
 * {@code 127.0.0.1} seen over the veth pair, as another machine would see the suite's services
 * through their addresses: every TCP connection to {@code 127.0.0.1} made on the isolated host is
 * translated (iptables DNAT) to the host's end of the pair, and the host translates what arrives on
 * that end to its own loopback. So Kafka, etcd and the pods, which listen on 127.0.0.1 only, are
 * reachable from it, and all of them vanish together when the link is down. What listens on the
 * isolated host binds {@link #address()}, which the host reaches over the pair.
 *
 * <p>Needs root, {@code ip} and {@code iptables}; {@link #unavailableBecause()} says why not when
 * they are missing. Every name and address is generated here, never taken from input.
 */
public final class IsolatedHost implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private final String namespace;
    private final String hostLink;
    private final String isolatedLink;
    private final String hostAddress;
    private final String address;
    private final List<List<String>> undo = new ArrayList<>();
    private ExitActions.Registration teardownAtExit;

    private IsolatedHost(int id, int subnet) {
        this.namespace = "bgdeploy-isolated-" + id;
        // interface names are limited to 15 characters
        this.hostLink = "bgdi" + id + "h";
        this.isolatedLink = "bgdi" + id + "n";
        this.hostAddress = "10.231." + subnet + ".1";
        this.address = "10.231." + subnet + ".2";
    }

    /** Why an isolated host cannot be made here, or null when it can. */
    public static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (user is " + System.getProperty("user.name") + ")";
        }
        for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/iptables")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (Debian packages iproute2 and iptables)";
            }
        }
        return null;
    }

    /** Makes the namespace, the veth pair and the address translation; {@link #close()} removes them. */
    public static IsolatedHost create() {
        String why = unavailableBecause();
        if (why != null) {
            throw new IllegalStateException("cannot isolate a host: " + why);
        }
        IsolatedHost host = new IsolatedHost(10_000 + RANDOM.nextInt(90_000), freeSubnet());
        host.teardownAtExit = ExitActions.atExit(ExitActions.Stage.CLEANUP, "isolated-host-teardown", host::teardown);
        try {
            host.setUp();
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        return host;
    }

    /** A /30 in 10.231.k.0 that no interface of this machine uses (another isolated host may run beside). */
    private static int freeSubnet() {
        String used = output(List.of("ip", "-o", "-4", "addr", "show"));
        for (int attempt = 0; attempt < 100; attempt++) {
            int k = 1 + RANDOM.nextInt(250);
            if (!used.contains(" 10.231." + k + ".")) {
                return k;
            }
        }
        throw new IllegalStateException("no free subnet in 10.231.0.0/16 for an isolated host");
    }

    private void setUp() {
        run(List.of("ip", "netns", "add", namespace), List.of("ip", "netns", "delete", namespace));
        run(List.of("ip", "link", "add", hostLink, "type", "veth", "peer", "name", isolatedLink),
                List.of("ip", "link", "delete", hostLink));
        run(List.of("ip", "link", "set", isolatedLink, "netns", namespace), null);
        run(List.of("ip", "addr", "add", hostAddress + "/30", "dev", hostLink), null);
        run(List.of("ip", "link", "set", hostLink, "up"), null);
        inside(List.of("ip", "addr", "add", address + "/30", "dev", isolatedLink));
        inside(List.of("ip", "link", "set", isolatedLink, "up"));
        inside(List.of("ip", "link", "set", "lo", "up"));
        // the host: what arrives over the pair goes to the host's loopback
        run(List.of("sysctl", "-q", "-w", "net.ipv4.conf." + hostLink + ".route_localnet=1"), null);
        List<String> toLoopback = List.of("PREROUTING", "-i", hostLink, "-p", "tcp", "-j", "DNAT", "--to-destination",
                "127.0.0.1");
        run(iptables("-A", toLoopback), iptables("-D", toLoopback));
        // the isolated host: its 127.0.0.1 is the host's, over the pair
        inside(List.of("sysctl", "-q", "-w", "net.ipv4.conf.all.route_localnet=1"));
        inside(iptables("-A", List.of("OUTPUT", "-d", "127.0.0.1", "-p", "tcp", "-j", "DNAT", "--to-destination",
                hostAddress)));
        inside(iptables("-A", List.of("POSTROUTING", "-o", isolatedLink, "-j", "MASQUERADE")));
    }

    private static List<String> iptables(String action, List<String> rule) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-t", "nat", action));
        cmd.addAll(rule);
        return cmd;
    }

    /** The address this host's listeners bind, reachable from the host over the veth pair. */
    public String address() {
        return address;
    }

    public String namespace() {
        return namespace;
    }

    /** The host's end of the veth pair, which the host's address translation names. */
    String hostLink() {
        return hostLink;
    }

    /** The arguments that run a command on the isolated host. */
    public List<String> commandPrefix() {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Cuts the isolated host off: its end of the pair goes down, no packet passes either way. */
    public void cut() {
        inside(List.of("ip", "link", "set", isolatedLink, "down"));
    }

    /** Joins it again: the link comes up with its address and the route over it. */
    public void heal() {
        inside(List.of("ip", "link", "set", isolatedLink, "up"));
    }

    private void inside(List<String> command) {
        List<String> cmd = new ArrayList<>(commandPrefix());
        cmd.addAll(command);
        run(cmd, null);
    }

    /** Runs {@code command} (never through a shell); remembers {@code reverse} for {@link #close()}. */
    private void run(List<String> command, List<String> reverse) {
        String failure = execute(command);
        if (failure != null) {
            throw new IllegalStateException(String.join(" ", command) + ": " + failure);
        }
        if (reverse != null) {
            synchronized (undo) {
                undo.add(0, reverse);
            }
        }
    }

    /** Null when the command exited 0, else what it said. */
    private static String execute(List<String> command) {
        try {
            output(command);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** What the command (never run through a shell) printed; IllegalStateException when it did not exit 0. */
    private static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("no exit within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + (output.isEmpty() ? "" : ": " + output));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Removes the translation, the pair and the namespace (processes still in it should be stopped first). */
    private void teardown() {
        List<List<String>> steps;
        synchronized (undo) {
            steps = List.copyOf(undo);
            undo.clear();
        }
        steps.forEach(IsolatedHost::execute);
    }

    @Override
    public void close() {
        teardown();
        teardownAtExit.cancel();
    }
}
