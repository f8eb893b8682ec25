package org.vitrine.cli.script.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.ScenarioResult.SectionResult;

/**
 * A played scenario as JSON (in {@code --artifacts DIR}: each scenario's result.json and the
 * run's results.json), for tools that read results rather than JUnit: per section the status,
 * virtual and wall time, the failure (where, step, expected, found, screenshot, console tail)
 * and the files written. The console itself is in console.log next to it.
 */
public final class ResultJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultJson() { }

    public static void write(ScenarioResult r, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), tree(r));
    }

    public static void writeAll(List<ScenarioResult> results, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        List<Object> all = new ArrayList<>();
        for (ScenarioResult r : results) all.add(tree(r));
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("passed", results.stream().allMatch(ScenarioResult::passed));
        top.put("scenarios", all);
        JSON.writeValue(file.toFile(), top);
    }

    static Map<String, Object> tree(ScenarioResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario());
        m.put("file", r.file());
        m.put("passed", r.passed());
        m.put("virtualSeconds", r.virtualNanos() / 1e9);
        m.put("wallSeconds", r.wallSeconds());
        List<Object> sections = new ArrayList<>();
        for (SectionResult s : r.sections()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("name", s.name());
            sm.put("status", s.status().name().toLowerCase());
            sm.put("virtualSeconds", s.virtualNanos() / 1e9);
            sm.put("wallSeconds", s.wallSeconds());
            if (s.failure() != null) sm.put("failure", s.failure());
            sm.put("artifacts", s.artifacts());
            sections.add(sm);
        }
        m.put("sections", sections);
        m.put("artifacts", r.artifacts());
        return m;
    }
}
