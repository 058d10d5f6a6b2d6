package io.bgdeploy.logshipper.receiver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Base of the spec-exact GELF receivers used by the tests in place of Graylog: records every valid
 * message, and every rejected one with its reason. Can be stopped and started again on the same
 * port to play an outage.
 */
public abstract class GelfReceiver implements AutoCloseable {

    private final List<JsonNode> messages = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rejections = Collections.synchronizedList(new ArrayList<>());
    protected volatile int port;

    public int port() {
        return port;
    }

    public abstract String url();

    public abstract void start();

    /** Stops listening and drops open connections; what was received stays recorded. */
    public abstract void stop();

    @Override
    public void close() {
        stop();
    }

    protected void accept(byte[] json) {
        try {
            messages.add(GelfSpec.parse(json));
        } catch (GelfSpec.InvalidGelfException e) {
            reject(e.getMessage());
        }
    }

    protected void reject(String reason) {
        rejections.add(reason);
    }

    public List<JsonNode> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    public List<String> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    /** How often each value of a field arrived: the tests find duplicates and gaps with it. */
    public Map<String, Long> countBy(Function<JsonNode, String> key) {
        return messages().stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
    }
}
