package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Kernel modules of Debian's Linux image (.deps/debian-boot/lib/modules), for initramfs images the
 * tests build: finds a module by name and puts it after what it depends on, read from each module's
 * own {@code depends=} field (the package's modules.dep is made by depmod at install time, which
 * the set-up never runs).
 */
final class DebianModules {
    private final Map<String, Path> byName;

    DebianModules() throws IOException {
        Path dir = DebianImages.dir().resolve("lib/modules");
        try (Stream<Path> files = Files.walk(dir)) {
            byName = files.filter(p -> p.getFileName().toString().endsWith(".ko"))
                    .collect(Collectors.toMap(DebianModules::nameOf, Function.identity(), (a, b) -> a));
        }
    }

    /** A module's name: its file name without .ko, dashes as underscores (as the kernel names it). */
    static String nameOf(Path ko) {
        String f = ko.getFileName().toString();
        return f.substring(0, f.length() - 3).replace('-', '_');
    }

    /** The modules to load, in an order where each comes after its dependencies. */
    List<Path> withDependencies(String... names) throws IOException {
        Set<String> ordered = new LinkedHashSet<>();
        for (String n : names) visit(n.replace('-', '_'), ordered, new LinkedHashSet<>());
        List<Path> out = new ArrayList<>();
        for (String n : ordered) out.add(byName.get(n));
        return out;
    }

    private void visit(String name, Set<String> done, Set<String> path) throws IOException {
        if (done.contains(name)) return;
        if (!path.add(name)) throw new IllegalStateException("module dependency cycle through " + path);
        Path ko = byName.get(name);
        if (ko == null) throw new IllegalStateException("no module " + name + " under " + DebianImages.dir().resolve("lib/modules"));
        for (String dep : dependsOf(ko)) visit(dep, done, path);
        done.add(name);
    }

    /** The {@code depends=a,b} string of the module's .modinfo section. */
    static List<String> dependsOf(Path ko) throws IOException {
        String text = new String(Files.readAllBytes(ko), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\0depends=");
        if (at < 0) return List.of();
        String value = text.substring(at + 9, text.indexOf('\0', at + 9));
        return value.isEmpty() ? List.of() : List.of(value.split(","));
    }
}
