package org.vitrine.cli.script;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --shard I/N}: a deterministic share of the scenarios, so a CI matrix of N machines
 * plays a suite once between them (each merges its own JUnit file). Scenario k (0-based, in the
 * order given) belongs to shard {@code k mod N + 1}: every scenario to exactly one shard, and
 * shards differ in size by at most one.
 */
public final class Shards {
    private Shards() { }

    public static <T> List<T> pick(List<T> all, String spec) {
        String[] p = spec.split("/");
        int i, n;
        try {
            if (p.length != 2) throw new NumberFormatException();
            i = Integer.parseInt(p[0].strip());
            n = Integer.parseInt(p[1].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' is not I/N, e.g. 2/4");
        }
        if (n < 1 || i < 1 || i > n) throw new IllegalArgumentException("'" + spec + "' needs 1 <= I <= N");
        List<T> out = new ArrayList<>();
        for (int k = i - 1; k < all.size(); k += n) out.add(all.get(k));
        return out;
    }
}
