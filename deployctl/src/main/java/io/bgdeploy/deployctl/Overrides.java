package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.Names;
import io.bgdeploy.events.deploy.Descriptor;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --set key=value}: changes to a descriptor made on the command line instead of with
 * {@code sed} in a CI script, applied to its JSON before it is read strictly and validated.
 * <ul>
 *   <li>{@code image=REF}: the image of the pod's only container;</li>
 *   <li>{@code image.<container>=REF}: the image of the container of that name;</li>
 *   <li>{@code env.<NAME>=VALUE}: an entry of {@code environment};</li>
 *   <li>{@code <field>=VALUE}: a descriptor field that holds text, a number or true/false, e.g.
 *       {@code newVersion=7}, {@code replicas=3}, {@code frontend=web.test.example.com}.</li>
 * </ul>
 */
final class Overrides {

    /** Fields that are structures, or set by the deployer: not for --set. */
    private static final Set<String> NOT_SETTABLE = Set.of("id", "created", "lastModified");

    private Overrides() {
    }

    /** An override that cannot be applied; the message says why and what to write instead. */
    static final class InvalidOverride extends Exception {
        InvalidOverride(String message) {
            super(message);
        }
    }

    /** One {@code key=value}, split at the first {@code =}. */
    record Override(String key, String value) {
        static Override parse(String text) throws InvalidOverride {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new InvalidOverride("--set '" + Names.printable(text) + "' is not key=value, e.g. --set image=registry.example.com/web:1.4.3");
            }
            return new Override(text.substring(0, eq).strip(), text.substring(eq + 1));
        }
    }

    static void apply(ObjectNode descriptor, List<String> overrides) throws InvalidOverride {
        for (String text : overrides) {
            Override o = Override.parse(text);
            if (o.key().equals("image")) {
                List<ObjectNode> containers = containers(descriptor);
                if (containers.size() != 1) {
                    throw new InvalidOverride("--set image=... needs a pod with exactly one container; this one has "
                            + containers.size() + ": use --set image.<container>=..., one of " + names(containers));
                }
                containers.get(0).put("image", nonEmpty(o));
            } else if (o.key().startsWith("image.")) {
                String name = o.key().substring("image.".length());
                List<ObjectNode> containers = containers(descriptor);
                ObjectNode container = containers.stream().filter(c -> name.equals(c.path("name").asText(null))).findFirst()
                        .orElseThrow(() -> new InvalidOverride("--set " + Names.printable(o.key()) + ": the pod has no container '"
                                + Names.printable(name) + "'; its containers are " + names(containers)));
                container.put("image", nonEmpty(o));
            } else if (o.key().startsWith("env.")) {
                String name = o.key().substring("env.".length());
                if (name.isEmpty()) {
                    throw new InvalidOverride("--set env.NAME=VALUE needs a variable name");
                }
                JsonNode env = descriptor.get("environment");
                ObjectNode map = env instanceof ObjectNode m ? m : descriptor.putObject("environment");
                map.put(name, o.value());
            } else {
                setField(descriptor, o);
            }
        }
    }

    private static void setField(ObjectNode descriptor, Override o) throws InvalidOverride {
        RecordComponent component = null;
        for (RecordComponent c : Descriptor.class.getRecordComponents()) {
            if (c.getName().equals(o.key()) && !NOT_SETTABLE.contains(c.getName())) {
                component = c;
            }
        }
        if (component == null) {
            throw new InvalidOverride("--set " + Names.printable(o.key()) + ": no such descriptor field; use image, image.<container>,"
                    + " env.<NAME> or a field such as newVersion, replicas, frontend, healthCheckPath");
        }
        Class<?> type = component.getType();
        if (type == String.class) {
            descriptor.put(o.key(), o.value());
        } else if (type == Integer.class || type == int.class) {
            try {
                descriptor.put(o.key(), Integer.parseInt(o.value().strip()));
            } catch (NumberFormatException e) {
                throw new InvalidOverride("--set " + o.key() + "='" + Names.printable(o.value()) + "': " + o.key() + " is a whole number");
            }
        } else if (type == Boolean.class || type == boolean.class) {
            if (!o.value().equals("true") && !o.value().equals("false")) {
                throw new InvalidOverride("--set " + o.key() + "='" + Names.printable(o.value()) + "': " + o.key() + " is true or false");
            }
            descriptor.put(o.key(), Boolean.parseBoolean(o.value()));
        } else {
            throw new InvalidOverride("--set " + o.key() + ": " + o.key() + " is a structure; change it in the descriptor file");
        }
    }

    private static String nonEmpty(Override o) throws InvalidOverride {
        if (o.value().isBlank()) {
            throw new InvalidOverride("--set " + o.key() + "= needs an image reference");
        }
        return o.value().strip();
    }

    private static List<ObjectNode> containers(ObjectNode descriptor) {
        List<ObjectNode> result = new ArrayList<>();
        JsonNode containers = descriptor.path("podspec").path("containers");
        if (containers instanceof ArrayNode array) {
            array.forEach(c -> {
                if (c instanceof ObjectNode o) {
                    result.add(o);
                }
            });
        }
        return result;
    }

    private static String names(List<ObjectNode> containers) {
        return containers.stream().map(c -> c.path("name").asText("?")).toList().toString();
    }
}
