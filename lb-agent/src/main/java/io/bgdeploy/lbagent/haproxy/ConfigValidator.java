package io.bgdeploy.lbagent.haproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code haproxy -c -f <file>}: the only judge of whether a rendered file may go live. */
public final class ConfigValidator {

    private final Path binary;

    public ConfigValidator(Path binary) {
        this.binary = binary;
    }

    /** Null when the file is valid, else HAProxy's own explanation (its alerts, trimmed). */
    public String problems(Path file) {
        ProcessBuilder pb = new ProcessBuilder(List.of(binary.toString(), "-c", "-f", file.toString()))
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "haproxy -c did not finish within 60 s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return "haproxy -c exited with " + p.exitValue() + ": "
                    + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text);
        } catch (IOException e) {
            return "cannot run " + binary + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating " + file, e);
        }
    }
}
