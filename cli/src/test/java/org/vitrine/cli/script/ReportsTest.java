package org.vitrine.cli.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.script.ScenarioResult.Failure;
import org.vitrine.cli.script.ScenarioResult.SectionResult;
import org.vitrine.cli.script.ScenarioResult.Status;
import org.vitrine.cli.script.reports.JunitReport;
import org.vitrine.cli.script.reports.ResultJson;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reports of a run: JUnit XML valid against the schema CI systems read, the result JSON, and --shard's shares. */
class ReportsTest {
    @TempDir
    Path dir;

    static List<ScenarioResult> results() {
        Failure f = new Failure("menu.vts:7:1", "click left \"Editor\"", "one \"Editor\" on the screen",
                "2 of them <&> \u0001", "/tmp/a/failure-menu.vts-7.png", "[wm] desktop up\n$ ");
        ScenarioResult a = new ScenarioResult("menu", "tests/menu.vts", List.of(
                new SectionResult("menu", Status.PASSED, null, 1_500_000_000L, 2.5, List.of("/tmp/a/one.png")),
                new SectionResult("editor opens", Status.FAILED, f, 10_000_000L, 0.25, List.of("/tmp/a/failure-menu.vts-7.png")),
                new SectionResult("editor saves", Status.SKIPPED, null, 0, 0, List.of())),
                1_510_000_000L, 2.75, "console \u0007 bytes", List.of("/tmp/a/one.png"));
        ScenarioResult b = new ScenarioResult("boot", "tests/boot.vts", List.of(
                new SectionResult("boot", Status.PASSED, null, 100, 0.1, List.of())), 100, 0.1, "", List.of());
        return List.of(a, b);
    }

    @Test
    void junitIsValidAgainstTheSchemaAndSaysWhatFailed() throws Exception {
        Path xml = dir.resolve("out/junit.xml");
        JunitReport.write(results(), xml);
        var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("/junit.xsd")));
        schema.newValidator().validate(new StreamSource(xml.toFile()));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("4", root.getAttribute("tests"));
        assertEquals("1", root.getAttribute("failures"));
        assertEquals("1", root.getAttribute("skipped"));
        var cases = doc.getElementsByTagName("testcase");
        assertEquals(4, cases.getLength());
        Element failed = (Element) cases.item(1);
        assertEquals("editor opens", failed.getAttribute("name"));
        assertEquals("menu", failed.getAttribute("classname"));
        Element failure = (Element) failed.getElementsByTagName("failure").item(0);
        assertTrue(failure.getAttribute("message").startsWith("menu.vts:7:1: click left \"Editor\": expected one"), failure.getAttribute("message"));
        assertTrue(failure.getTextContent().contains("found:    2 of them <&> ?"), failure.getTextContent());
        assertTrue(failure.getTextContent().contains("screenshot: /tmp/a/failure-menu.vts-7.png"));
        assertTrue(failure.getTextContent().contains("[wm] desktop up"));
        assertEquals(1, ((Element) cases.item(2)).getElementsByTagName("skipped").getLength());
        assertTrue(((Element) cases.item(0)).getTextContent().contains("[[ATTACHMENT|/tmp/a/one.png]]"));
    }

    @Test
    void theSchemaRefusesWhatCiWouldNotRead() throws Exception {
        var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("/junit.xsd")));
        Path bad = Files.writeString(dir.resolve("bad.xml"),
                "<testsuites><testsuite name=\"x\" tests=\"-1\" failures=\"0\" errors=\"0\"><testcase name=\"a\"/></testsuite></testsuites>");
        assertThrows(org.xml.sax.SAXException.class, () -> schema.newValidator().validate(new StreamSource(bad.toFile())));
    }

    @Test
    void resultJsonHoldsSectionsAndFailures() throws Exception {
        Path json = dir.resolve("results.json");
        ResultJson.writeAll(results(), json);
        JsonNode top = new ObjectMapper().readTree(json.toFile());
        assertEquals(false, top.get("passed").asBoolean());
        JsonNode menu = top.get("scenarios").get(0);
        assertEquals("menu", menu.get("scenario").asText());
        assertEquals(1.51, menu.get("virtualSeconds").asDouble(), 1e-9);
        assertEquals("failed", menu.get("sections").get(1).get("status").asText());
        assertEquals("menu.vts:7:1", menu.get("sections").get(1).get("failure").get("where").asText());
        assertEquals("/tmp/a/failure-menu.vts-7.png", menu.get("sections").get(1).get("failure").get("screenshot").asText());
        assertEquals("skipped", menu.get("sections").get(2).get("status").asText());
        assertEquals(true, top.get("scenarios").get(1).get("passed").asBoolean());
    }

    @Test
    void shardsSplitTheSuiteOnceAndEvenly() {
        List<Integer> all = List.of(0, 1, 2, 3, 4, 5, 6);
        assertEquals(List.of(0, 3, 6), Shards.pick(all, "1/3"));
        assertEquals(List.of(1, 4), Shards.pick(all, "2/3"));
        assertEquals(List.of(2, 5), Shards.pick(all, "3/3"));
        assertEquals(all, Shards.pick(all, "1/1"));
        assertEquals(List.of(), Shards.pick(List.of(0), "2/2"));
        for (String bad : new String[] {"0/3", "4/3", "1/0", "a/b", "1", "1/2/3"}) {
            assertThrows(IllegalArgumentException.class, () -> Shards.pick(all, bad), bad);
        }
    }
}
