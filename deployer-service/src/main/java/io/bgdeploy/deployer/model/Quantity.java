package io.bgdeploy.deployer.model;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes' quantity syntax ({@code 128Mi}, {@code 1G}, {@code 0.5Gi}, {@code 500m}, {@code 1e3}, plain
 * numbers): a decimal number with an optional binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), decimal suffix
 * (n, u, m, k, M, G, T, P, E) or exponent. Suffixes are case-sensitive as in Kubernetes: {@code K}
 * is not one ({@code k} or {@code Ki} is meant).
 */
public final class Quantity {
    private static final Pattern SYNTAX = Pattern.compile(
            "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
    private static final Map<String, Double> FACTORS = Map.ofEntries(
            Map.entry("Ki", 0x1p10), Map.entry("Mi", 0x1p20), Map.entry("Gi", 0x1p30), Map.entry("Ti", 0x1p40),
            Map.entry("Pi", 0x1p50), Map.entry("Ei", 0x1p60), Map.entry("n", 1e-9), Map.entry("u", 1e-6),
            Map.entry("m", 1e-3), Map.entry("k", 1e3), Map.entry("M", 1e6), Map.entry("G", 1e9),
            Map.entry("T", 1e12), Map.entry("P", 1e15), Map.entry("E", 1e18));

    private Quantity() {
    }

    /** The quantity's value; throws IllegalArgumentException naming the quantity when it is not one. */
    public static double parse(String q) {
        var m = q == null ? null : SYNTAX.matcher(q.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + q + "' is not a Kubernetes quantity: write a number with an"
                    + " optional suffix, e.g. 128Mi, 1Gi, 500M or 500m");
        }
        double number = Double.parseDouble(m.group(1));
        String suffix = m.group(2);
        if (suffix == null) {
            return number;
        }
        Double factor = FACTORS.get(suffix);
        return factor != null ? number * factor : Double.parseDouble(m.group(1) + suffix);
    }

    /** A memory quantity in bytes, rounded up as Kubernetes does; refuses a negative one. */
    public static long bytes(String q) {
        double value = parse(q);
        if (value < 0) {
            throw new IllegalArgumentException("'" + q + "' is negative: a memory quantity is a size, e.g. 128Mi");
        }
        return (long) Math.ceil(value);
    }
}
