package org.vitrine.emulator.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The profiler's pure parts: the histogram, the flame graph's SVG and the system-call names. */
class ProfileReportingTest {
    @Test
    void histogramBucketsByPowersOfTwoWithExactExtremes() {
        Log2Histogram h = new Log2Histogram();
        for (long v : new long[] {0, 1, 2, 3, 4, 7, 8, 1000, 1023, 1024}) h.add(v);
        assertEquals(10, h.count());
        assertEquals(0, h.min());
        assertEquals(1024, h.max());
        assertEquals(3072 / 10.0, h.mean(), 1e-9);
        assertEquals(0, Log2Histogram.bucket(1));
        assertEquals(1, Log2Histogram.bucket(3));
        assertEquals(9, Log2Histogram.bucket(1023));
        assertEquals(10, Log2Histogram.bucket(1024));
        assertEquals(4, h.quantileBucket(0.5));    // the 5th value, 4, is in [4, 8)
        assertEquals(1024, h.quantileBucket(1.0));
        String text = h.render("ns");
        assertTrue(text.contains("512 .. 1023") && text.contains("1024 .. 2047"), text);
        assertEquals("  (none)\n", new Log2Histogram().render("ns"));
    }

    @Test
    void flameGraphIsWellFormedSvgWithABoxPerFrameAsWideAsItsSamples() throws Exception {
        Map<String, Long> folded = new LinkedHashMap<>();
        folded.put("wm (pid 2);wm::main;memcpy", 30L);
        folded.put("wm (pid 2);wm::main;wm::Wm::paint", 10L);
        folded.put("kernel;[irq];rost_trap", 20L);
        folded.put("odd <name> & \"quotes\";f", 40L);
        String svg = FlameGraphSvg.render("a <profile>", folded);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList groups = doc.getElementsByTagName("g");
        Map<String, Double> widths = new LinkedHashMap<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagName("title").item(0).getTextContent();
            double w = Double.parseDouble(((Element) g.getElementsByTagName("rect").item(0)).getAttribute("width"));
            widths.put(title.substring(0, title.lastIndexOf(" (")), w);
        }
        // all, 3 roots, wm::main, memcpy, paint, [irq], rost_trap, f: one box each
        assertEquals(10, widths.size(), widths.toString());
        double all = widths.get("all");
        assertEquals(FlameGraphSvg.WIDTH - 2 * FlameGraphSvg.PAD, all, 0.1);
        assertEquals(all * 40 / 100, widths.get("wm (pid 2)"), 0.1);
        assertEquals(all * 30 / 100, widths.get("memcpy"), 0.1);
        assertEquals(all * 40 / 100, widths.get("odd <name> & \"quotes\""), 0.1);
        assertTrue(svg.contains("(30 samples, 30.00%)"), svg);
    }

    @Test
    void emptyProfileStillDrawsAValidPicture() throws Exception {
        String svg = FlameGraphSvg.render("nothing", Map.of());
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("0 samples"));
    }

    /** rost's ABI crate is the source of the numbers: RostSyscalls must say the same. */
    @Test
    void syscallNamesMatchTheAbiCrate() throws Exception {
        Path abi = Path.of(System.getProperty("vitrine.root", "..")).resolve("kernel-image/abi/src/lib.rs");
        String source = Files.readString(abi);
        Matcher m = Pattern.compile("(\\d+) => Sysno::(\\w+),").matcher(source);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String snake = m.group(2).replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
            assertEquals(snake, RostSyscalls.name(Long.parseLong(m.group(1))), "syscall " + m.group(1));
            checked.add(snake);
        }
        assertEquals(RostSyscalls.NAMES.size() - 1, checked.size(), "every ABI number has a name and no more: " + checked);
        assertEquals("syscall 99", RostSyscalls.name(99));
        assertEquals("send_message", RostSyscalls.name(RostSyscalls.SEND_MESSAGE));
        assertEquals("recv_message", RostSyscalls.name(RostSyscalls.RECV_MESSAGE));
    }

    @Test
    void pidIsTheAsidMinusOne() {
        assertEquals(0, org.vitrine.emulator.debug.RostAddressSpace.pidOf(0x4012_3000L));
        assertEquals(1, org.vitrine.emulator.debug.RostAddressSpace.pidOf((2L << 48) | 0x4012_3000L));
        assertEquals(41, org.vitrine.emulator.debug.RostAddressSpace.pidOf((42L << 48) | 0x1000L));
    }
}
