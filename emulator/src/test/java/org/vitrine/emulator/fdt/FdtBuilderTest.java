package org.vitrine.emulator.fdt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a tree shaped like QEMU's {@code virt} board and checks the blob two ways: its header
 * fields by hand, and its content by decoding it with the real {@code dtc}.
 */
class FdtBuilderTest {
    @TempDir
    Path tmp;

    /** A virt-like tree: what Vitrine's board will hand the kernel. */
    static FdtBuilder virt() {
        FdtBuilder fdt = new FdtBuilder();
        FdtNode root = fdt.root()
                .u32("#address-cells", 2)
                .u32("#size-cells", 2)
                .string("compatible", "linux,dummy-virt")
                .string("model", "vitrine-virt");
        FdtNode clock = root.child("apb-pclk")
                .string("compatible", "fixed-clock")
                .u32("#clock-cells", 0)
                .u32("clock-frequency", 24_000_000)
                .string("clock-output-names", "clk24mhz");
        FdtNode intc = root.child("intc@8000000")
                .string("compatible", "arm,cortex-a15-gic")
                .u32("#interrupt-cells", 3)
                .u32("#address-cells", 0)
                .empty("interrupt-controller")
                .u64s("reg", 0x0800_0000L, 0x10000, 0x0801_0000L, 0x10000);
        root.reference("interrupt-parent", intc);
        root.child("pl011@9000000")
                .strings("compatible", "arm,pl011", "arm,primecell")
                .u64s("reg", 0x0900_0000L, 0x1000)
                .u32s("interrupts", 0, 1, 4)
                .u32s("clocks", clock.phandle(), clock.phandle())
                .strings("clock-names", "uartclk", "apb_pclk");
        root.child("memory@40000000")
                .string("device_type", "memory")
                .u64s("reg", 0x4000_0000L, 0x800_0000L);
        root.child("chosen")
                .string("stdout-path", "/pl011@9000000")
                .bytes("rng-seed", new byte[] {1, 2, 3, 4, 5, 6});
        root.child("psci")
                .strings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci")
                .string("method", "hvc");
        root.child("timer")
                .string("compatible", "arm,armv8-timer")
                .u32s("interrupts", 1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10, 0xf04)
                .empty("always-on");
        fdt.reserveMemory(0x4000_0000L, 0x1000).bootCpu(0);
        return fdt;
    }

    @Test
    void headerFieldsAreRight() {
        byte[] blob = virt().build();
        ByteBuffer h = ByteBuffer.wrap(blob); // big-endian
        assertEquals(0xd00dfeed, h.getInt(0), "magic");
        assertEquals(blob.length, h.getInt(4), "totalsize");
        int structOff = h.getInt(8), stringsOff = h.getInt(12), rsvOff = h.getInt(16);
        assertEquals(17, h.getInt(20), "version");
        assertEquals(16, h.getInt(24), "last_comp_version");
        assertEquals(0, h.getInt(28), "boot_cpuid_phys");
        int stringsSize = h.getInt(32), structSize = h.getInt(36);

        assertEquals(40, rsvOff);
        assertEquals(0, structOff % 8);
        assertEquals(0, stringsOff % 8);
        assertEquals(0, blob.length % 8);
        // One reservation then the terminating zero entry, then the structure block.
        assertEquals(0x4000_0000L, h.getLong(rsvOff));
        assertEquals(0x1000L, h.getLong(rsvOff + 8));
        assertEquals(0L, h.getLong(rsvOff + 16));
        assertEquals(0L, h.getLong(rsvOff + 24));
        assertTrue(structOff >= rsvOff + 32);
        assertEquals(0, structSize % 4);
        assertEquals(1, h.getInt(structOff), "first token is FDT_BEGIN_NODE");
        assertEquals(9, h.getInt(structOff + structSize - 4), "last token is FDT_END");
        assertTrue(stringsOff >= structOff + structSize);
        assertTrue(stringsOff + stringsSize <= blob.length);
    }

    @Test
    void propertyNamesAreStoredOnce() {
        byte[] blob = virt().build();
        ByteBuffer h = ByteBuffer.wrap(blob);
        String strings = new String(blob, h.getInt(12), h.getInt(32), StandardCharsets.US_ASCII);
        assertTrue(strings.startsWith("#address-cells\0#size-cells\0compatible\0"), strings);
        assertEquals(1, count(strings, "\0compatible\0"));
        assertEquals(1, count(strings, "\0reg\0"));
        assertEquals(1, count(strings, "\0phandle\0"));
    }

    @Test
    void dtcDecodesTheTree() throws Exception {
        String dts = dtc(virt().build());
        assertTrue(dts.startsWith("/dts-v1/;"), dts);
        assertContains(dts, "/memreserve/\t0x0000000040000000 0x0000000000001000;");
        assertContains(dts, "#address-cells = <0x02>;");
        assertContains(dts, "#size-cells = <0x02>;");
        assertContains(dts, "compatible = \"linux,dummy-virt\";");
        // intc's phandle is taken first (by interrupt-parent), then the clock's.
        assertContains(dts, "interrupt-parent = <0x8000>;");
        assertContains(dts, "apb-pclk {");
        assertContains(dts, "clock-frequency = <0x16e3600>;");
        assertContains(dts, "clock-output-names = \"clk24mhz\";\n\t\tphandle = <0x8001>;");
        assertContains(dts, "intc@8000000 {");
        assertContains(dts, "interrupt-controller;");
        assertContains(dts, "reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>;\n\t\tphandle = <0x8000>;");
        assertContains(dts, "pl011@9000000 {");
        assertContains(dts, "compatible = \"arm,pl011\\0arm,primecell\";");
        assertContains(dts, "interrupts = <0x00 0x01 0x04>;");
        assertContains(dts, "clocks = <0x8001 0x8001>;");
        assertContains(dts, "clock-names = \"uartclk\\0apb_pclk\";");
        assertContains(dts, "memory@40000000 {");
        assertContains(dts, "device_type = \"memory\";");
        assertContains(dts, "reg = <0x00 0x40000000 0x00 0x8000000>;");
        assertContains(dts, "chosen {");
        assertContains(dts, "stdout-path = \"/pl011@9000000\";");
        assertContains(dts, "rng-seed = [01 02 03 04 05 06];");
        assertContains(dts, "psci {");
        assertContains(dts, "compatible = \"arm,psci-1.0\\0arm,psci-0.2\\0arm,psci\";");
        assertContains(dts, "method = \"hvc\";");
        assertContains(dts, "timer {");
        assertContains(dts, "always-on;");
        // Node order is insertion order; nesting closes properly.
        assertTrue(dts.indexOf("intc@8000000 {") < dts.indexOf("pl011@9000000 {"));
        assertTrue(dts.trim().endsWith("};"), dts);
    }

    @Test
    void nestedNodesAndU64() throws Exception {
        FdtBuilder fdt = new FdtBuilder();
        FdtNode cpus = fdt.root().child("cpus").u32("#address-cells", 1).u32("#size-cells", 0);
        cpus.child("cpu@0").string("device_type", "cpu").u32("reg", 0).u64("cpu-release-addr", 0x1_2345_6789L);
        assertSame(cpus, fdt.root().child("cpus"), "child() returns the existing node");
        String dts = dtc(fdt.build());
        assertContains(dts, "cpus {");
        assertContains(dts, "cpu@0 {");
        assertContains(dts, "cpu-release-addr = <0x01 0x23456789>;");
        assertTrue(dts.indexOf("cpu@0 {") > dts.indexOf("cpus {"));
    }

    @Test
    void settingAPropertyAgainReplacesIt() {
        FdtNode n = new FdtBuilder().root().u32("x", 1).u32("x", 2);
        assertArrayEquals(new byte[] {0, 0, 0, 2}, n.property("x"));
    }

    @Test
    void badNamesAndValuesAreRejected() {
        FdtNode root = new FdtBuilder().root();
        assertThrows(IllegalArgumentException.class, () -> root.child(""));
        assertThrows(IllegalArgumentException.class, () -> root.child("a/b"));
        assertThrows(IllegalArgumentException.class, () -> root.child("uart@"));
        assertThrows(IllegalArgumentException.class, () -> root.u32("has space", 1));
        assertThrows(IllegalArgumentException.class, () -> root.string("s", "nul\0inside"));
        FdtNode other = new FdtBuilder().root();
        assertThrows(IllegalArgumentException.class, () -> root.reference("clocks", other));
    }

    private String dtc(byte[] blob) throws IOException, InterruptedException {
        Path file = tmp.resolve("tree.dtb");
        Files.write(file, blob);
        Process p;
        try {
            p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", file.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("dtc is not installed (apt-get install device-tree-compiler)");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(!out.contains("Warning") && !out.contains("ERROR"), out);
        return out;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "missing: " + expected + "\n--- in ---\n" + text);
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
        return n;
    }
}
