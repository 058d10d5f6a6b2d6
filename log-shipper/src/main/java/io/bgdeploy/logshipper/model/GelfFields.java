package io.bgdeploy.logshipper.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The additional fields of a GELF message in the order they were added, each name checked
 * against the GELF 1.1 rule when it is added ({@link GelfMessage#isAllowedFieldName}); fields
 * without a value are left out. Immutable: a message holds its fields without copying them, and
 * they are written out in order without a map (a message has about ten).
 */
public final class GelfFields {

    public static final GelfFields NONE = new Builder().build();

    private final String[] names;
    private final String[] values;

    private GelfFields(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The fields of a map, in its iteration order. */
    public static GelfFields of(Map<String, String> fields) {
        Builder builder = builder();
        fields.forEach(builder::put);
        return builder.build();
    }

    public int size() {
        return names.length;
    }

    /** The name of the {@code i}-th field, with its leading {@code _}. */
    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The value of a field, or {@code null} if the message has no such field. */
    public String get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return null;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    /** The fields as an unmodifiable map in their order. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** A builder that starts from these fields. */
    public Builder toBuilder() {
        Builder builder = builder();
        for (int i = 0; i < names.length; i++) {
            builder.put(names[i], values[i]);
        }
        return builder;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GelfFields other && Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /** Collects fields; a name added again replaces its value, a {@code null} value removes the field. Not thread-safe. */
    public static final class Builder {
        private String[] names = new String[12];
        private String[] values = new String[12];
        private int size;

        private Builder() {
        }

        /** @throws IllegalArgumentException if GELF 1.1 does not allow the name */
        public Builder put(String name, String value) {
            if (!GelfMessage.isAllowedFieldName(name)) {
                throw new IllegalArgumentException("additional field name '" + name
                        + "' must start with '_', match ^[\\w.\\-]*$ and not be _id");
            }
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    values[i] = value;
                    return this;
                }
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        public GelfFields build() {
            int present = 0;
            for (int i = 0; i < size; i++) {
                if (values[i] != null) {
                    present++;
                }
            }
            String[] n = new String[present];
            String[] v = new String[present];
            int at = 0;
            for (int i = 0; i < size; i++) {
                if (values[i] != null) {
                    n[at] = names[i];
                    v[at] = values[i];
                    at++;
                }
            }
            return new GelfFields(n, v);
        }
    }
}
