package org.vitrine.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;
import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.spi.GuestLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The suite runs in quick mode and reports each bare-metal workload and rost's IPC ping-pong on both sides (the figures
 * themselves are not checked: benchmarks are never timed tests), its JSON has every field, and
 * the parts (medians, guest parameters, the registry) do what they say.
 */
class BenchSuiteTest {
    @Test
    void quickRunReportsEveryWorkloadButLinuxOnBothSidesAsTableAndJson() throws Exception {
        List<Workload> workloads = BenchSuite.standard().stream().filter(w -> !w.name().equals("linux-boot")).toList();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        List<BenchSuite.Result> results;
        try (GuestLogSession logs = new LogOptions().open(System.err)) {
            BenchEnv env = new BenchEnv("qemu-system-aarch64", true, Path.of("."), logs);
            results = BenchSuite.run(workloads, env, 1, new PrintStream(table, true, StandardCharsets.UTF_8));
            for (GuestLog.Kind k : GuestLog.Kind.values()) assertEquals(0, logs.totals().count(k), "the benchmark guests make no " + k);
        }
        String text = table.toString(StandardCharsets.UTF_8);
        for (Workload w : workloads) assertTrue(text.lines().anyMatch(l -> l.startsWith(w.name() + " ")), w.name() + " in:\n" + text);
        for (BenchSuite.Result r : results) {
            assertTrue(r.vitrine().median() > 0, r.toString());
            assertTrue(r.qemu().median() > 0, r.toString());
            assertTrue(r.ratio() > 0, r.toString());
        }
        JsonNode json = new ObjectMapper().readTree(BenchSuite.json(results, 1));
        assertEquals(workloads.size(), json.get("workloads").size());
        for (JsonNode w : json.get("workloads")) {
            for (String field : List.of("name", "unit", "vitrine", "qemu", "ratio")) assertTrue(w.has(field), field + " in " + w);
            assertTrue(w.get("vitrine").get("median").asDouble() > 0, w.toString());
        }
    }

    /**
     * With {@code --qemu-icount} QEMU's side really runs in its deterministic mode: a wrapper
     * standing in for the QEMU binary records its arguments and runs the real one.
     */
    @Test
    void qemuIcountPutsQemuInItsDeterministicMode(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path args = dir.resolve("args.txt"), wrapper = dir.resolve("qemu-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$*\" >> '" + args + "'\nexec qemu-system-aarch64 \"$@\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        Workload alu = BenchSuite.standard().getFirst();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        try (GuestLogSession logs = new LogOptions().open(System.err)) {
            BenchEnv env = new BenchEnv(wrapper.toString(), true, Path.of("."), logs).withQemuIcount();
            List<BenchSuite.Result> results = BenchSuite.run(List.of(alu), env, 1, new PrintStream(table, true, StandardCharsets.UTF_8));
            assertTrue(results.getFirst().qemu().median() > 0, results.toString());
        }
        List<String> runs = Files.readAllLines(args);
        assertTrue(!runs.isEmpty() && runs.stream().allMatch(l -> l.contains(" -icount shift=0,sleep=off ")), runs.toString());
        assertTrue(table.toString(StandardCharsets.UTF_8).contains("QEMU ran with -icount shift=0,sleep=off"), table.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theRegistryHasTheIssuesWorkloads() {
        List<String> names = BenchSuite.standard().stream().map(Workload::name).toList();
        assertEquals(List.of("alu", "syscall", "pointer-chase", "stream-copy", "ipc", "linux-boot"), names);
    }

    @Test
    void linuxBootIsSkippedWithAReasonWithoutItsImages(@org.junit.jupiter.api.io.TempDir Path empty) {
        BenchEnv env = new BenchEnv("qemu-system-aarch64", true, empty, null);
        assertTrue(new LinuxBootWorkload().unavailable(env).orElseThrow().contains("scripts/setup.sh"));
    }

    @Test
    void rostProgramsAreSkippedWithAReasonWhenRostIsNotBuilt(@org.junit.jupiter.api.io.TempDir Path empty) {
        String root = System.getProperty("vitrine.root");
        System.setProperty("vitrine.root", empty.toString());
        try {
            BenchEnv env = new BenchEnv("qemu-system-aarch64", true, empty, null);
            assertTrue(new RostProgram("/BIN/PINGPONG").unavailable(env).orElseThrow().contains("./vitrine build"));
        } finally {
            if (root == null) System.clearProperty("vitrine.root"); else System.setProperty("vitrine.root", root);
        }
    }

    @Test
    void medianAndSpread() {
        Summary s = Summary.of(new double[] {3, 1, Double.NaN, 2, 10});
        assertEquals(2.5, s.median());
        assertEquals(1, s.min());
        assertEquals(10, s.max());
        assertEquals(4, s.runs());
        assertEquals(180, s.spreadPercent(), 1e-9);
        assertEquals(0, Summary.of(new double[] {Double.NaN}).runs());
    }

    @Test
    void guestParametersLandAtEntryPlus8() throws Exception {
        Path f = BenchGuest.write("syscall", 123_456_789L, 7);
        byte[] elf = Files.readAllBytes(f);
        ElfFile file = ElfFile.parse(elf);
        long off = file.loadSegments().get(0).offset() + file.entry() + 8 - file.loadSegments().get(0).vaddr();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(123_456_789L, b.getLong((int) off));
        assertEquals(7, b.getLong((int) off + 8));
    }
}
