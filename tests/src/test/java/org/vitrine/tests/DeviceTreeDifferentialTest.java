package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vitrine's board is a subset of QEMU's virt: every device node Vitrine's device tree describes
 * must appear in the tree QEMU 7.2 generates ({@code -M virt,dumpdtb=}) with the same
 * compatible strings, registers and interrupts. Both trees are decoded by the real dtc.
 */
class DeviceTreeDifferentialTest {
    @TempDir
    Path dir;

    /** Properties that must agree; phandle-valued ones differ by numbering and are left out. */
    static final List<String> COMPARED = List.of("compatible", "reg", "interrupts", "method", "cpu_on", "cpu_off",
            "migrate", "cpu_suspend", "device_type", "clock-names", "#interrupt-cells", "interrupt-controller",
            "always-on", "dma-coherent", "stdout-path", "#address-cells", "#size-cells", "bank-width", "model", "ranges",
            "msi-controller", "gpio-controller", "#gpio-cells", "label", "linux,code", "bus-range", "linux,pci-domain",
            "interrupt-map-mask");
    /** /chosen properties whose values are random in QEMU: their presence and size must agree. */
    static final List<String> RANDOM_SIZED = List.of("rng-seed", "kaslr-seed");

    @Test
    void everyNodeVitrineDescribesMatchesQemu() throws Exception {
        Path q = dir.resolve("qemu.dtb");
        run(List.of(Qemu.BINARY, "-M", "virt,dumpdtb=" + q, "-cpu", "cortex-a72", "-m", "512", "-nodefaults", "-nic", "none",
                "-display", "none"));
        Path v = dir.resolve("vitrine.dtb");
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults(), b -> { })) {
            Files.write(v, board.deviceTree());
        }
        Map<String, Map<String, String>> qemu = parse(dts(q)), vitrine = parse(dts(v));
        int compared = 0;
        for (var node : vitrine.entrySet()) {
            String path = node.getKey();
            if (path.equals("/") || path.startsWith("/cpus")) continue; // the CPU node names the model, checked below
            Map<String, String> theirs = qemu.get(path);
            assertNotNull(theirs, "QEMU's tree has no " + path);
            for (String prop : COMPARED) {
                if (!node.getValue().containsKey(prop)) continue;
                assertEquals(theirs.get(prop), node.getValue().get(prop), path + " " + prop);
                compared++;
            }
        }
        assertEquals(qemu.get("/cpus/cpu@0").get("compatible"), vitrine.get("/cpus/cpu@0").get("compatible"));
        for (String node : List.of("/flash@0", "/pmu", "/pl061@9030000", "/gpio-keys/poweroff", "/pcie@10000000", "/intc@8000000/v2m@8020000",
                "/fw-cfg@9020000", "/platform-bus@c000000")) {
            assertNotNull(vitrine.get(node), node + " is described");
        }
        assertEquals(qemu.get("/").get("model"), vitrine.get("/").get("model"), "the model Linux prints");
        // The interrupt map names the GIC by phandle: compare it with phandles replaced by the node they point to.
        assertEquals(qemu.get("/pcie@10000000").get("interrupt-map").replace(cell(qemu.get("/intc@8000000").get("phandle")), "GIC"),
                vitrine.get("/pcie@10000000").get("interrupt-map").replace(cell(vitrine.get("/intc@8000000").get("phandle")), "GIC"),
                "PCI INTx routing");
        for (String prop : RANDOM_SIZED) {
            String theirs = qemu.get("/chosen").get(prop), ours = vitrine.get("/chosen").get(prop);
            assertNotNull(theirs, "QEMU's /chosen has " + prop);
            assertNotNull(ours, "Vitrine's /chosen has " + prop);
            assertEquals(theirs.split(" ").length, ours.split(" ").length, "/chosen " + prop + " size: " + theirs + " vs " + ours);
            compared++;
        }
        assertTrue(vitrine.keySet().stream().filter(p -> p.startsWith("/virtio_mmio@")).count() == 32, "32 virtio-mmio slots");
        System.out.println("device tree: " + vitrine.size() + " Vitrine nodes, " + compared + " properties equal to QEMU's");
    }

    /** "<0x8002>" (a one-cell property as dtc prints it) to "0x8002 " as it appears inside a list. */
    private static String cell(String oneCell) {
        return oneCell.substring(1, oneCell.length() - 1) + " ";
    }

    private String dts(Path dtb) throws IOException, InterruptedException {
        return run(List.of("dtc", "-q", "-I", "dtb", "-O", "dts", dtb.toString()));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    /** Node path to (property to value text) from dtc's DTS output. */
    static Map<String, Map<String, String>> parse(String dts) {
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        for (String raw : dts.split("\n")) {
            String line = raw.trim();
            if (line.endsWith("{")) {
                String name = line.substring(0, line.length() - 1).trim();
                String path = stack.isEmpty() ? "/" : (stack.peek().equals("/") ? "/" + name : stack.peek() + "/" + name);
                stack.push(path);
                nodes.put(path, new LinkedHashMap<>());
            } else if (line.equals("};")) {
                stack.pop();
            } else if (!stack.isEmpty() && line.endsWith(";")) {
                String body = line.substring(0, line.length() - 1);
                int eq = body.indexOf(" = ");
                String key = eq < 0 ? body : body.substring(0, eq);
                nodes.get(stack.peek()).put(key, eq < 0 ? "" : body.substring(eq + 3));
            }
        }
        return nodes;
    }
}
