package org.vitrine.cli.script.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.ScenarioResult.SectionResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The JUnit XML report CI systems read (Jenkins, GitLab, GitHub actions): {@code <testsuites>}
 * with one {@code <testsuite>} per scenario and one {@code <testcase>} per section; a failing
 * section has a {@code <failure>} with the message, expected and found, the console's last lines
 * and the screenshot path; sections after a failure are {@code <skipped>}. Times are wall seconds
 * (what CI dashboards show); the virtual time is a property. Built with the JDK's DOM, so the
 * text is always escaped correctly.
 */
public final class JunitReport {
    private JunitReport() { }

    public static void write(List<ScenarioResult> results, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            Element root = doc.createElement("testsuites");
            root.setAttribute("name", "vitrine script");
            doc.appendChild(root);
            int tests = 0, failures = 0, skipped = 0;
            double time = 0;
            for (ScenarioResult r : results) {
                Element suite = doc.createElement("testsuite");
                suite.setAttribute("name", r.scenario());
                suite.setAttribute("file", r.file());
                int t = r.sections().size();
                int f = count(r, ScenarioResult.Status.FAILED), s = count(r, ScenarioResult.Status.SKIPPED);
                suite.setAttribute("tests", Integer.toString(t));
                suite.setAttribute("failures", Integer.toString(f));
                suite.setAttribute("errors", "0");
                suite.setAttribute("skipped", Integer.toString(s));
                suite.setAttribute("time", seconds(r.wallSeconds()));
                Element props = doc.createElement("properties");
                Element virt = doc.createElement("property");
                virt.setAttribute("name", "virtual-seconds");
                virt.setAttribute("value", seconds(r.virtualNanos() / 1e9));
                props.appendChild(virt);
                suite.appendChild(props);
                for (SectionResult sec : r.sections()) suite.appendChild(testcase(doc, r, sec));
                Element out = doc.createElement("system-out");
                out.setTextContent(printable(r.console()));
                suite.appendChild(out);
                root.appendChild(suite);
                tests += t;
                failures += f;
                skipped += s;
                time += r.wallSeconds();
            }
            root.setAttribute("tests", Integer.toString(tests));
            root.setAttribute("failures", Integer.toString(failures));
            root.setAttribute("errors", "0");
            root.setAttribute("skipped", Integer.toString(skipped));
            root.setAttribute("time", seconds(time));
            var tf = TransformerFactory.newInstance().newTransformer();
            tf.setOutputProperty(OutputKeys.INDENT, "yes");
            tf.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            tf.transform(new DOMSource(doc), new StreamResult(file.toFile()));
        } catch (ParserConfigurationException | TransformerException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Element testcase(Document doc, ScenarioResult r, SectionResult sec) {
        Element tc = doc.createElement("testcase");
        tc.setAttribute("name", sec.name());
        tc.setAttribute("classname", r.scenario());
        tc.setAttribute("time", seconds(sec.wallSeconds()));
        switch (sec.status()) {
            case FAILED -> {
                var f = sec.failure();
                Element e = doc.createElement("failure");
                e.setAttribute("message", printable(f.message()));
                e.setAttribute("type", "ScenarioStepFailed");
                e.setTextContent(printable("step:     " + f.where() + " " + f.step() + "\nexpected: " + f.expected()
                        + "\nfound:    " + f.found() + (f.screenshot() != null ? "\nscreenshot: " + f.screenshot() : "")
                        + "\nconsole (last lines):\n" + f.consoleTail()));
                tc.appendChild(e);
            }
            case SKIPPED -> {
                Element e = doc.createElement("skipped");
                e.setAttribute("message", "an earlier section failed");
                tc.appendChild(e);
            }
            case PASSED -> { }
        }
        if (!sec.artifacts().isEmpty()) {
            Element out = doc.createElement("system-out");
            StringBuilder b = new StringBuilder();
            for (String a : sec.artifacts()) b.append("[[ATTACHMENT|").append(a).append("]]\n");
            out.setTextContent(b.toString());
            tc.appendChild(out);
        }
        return tc;
    }

    private static int count(ScenarioResult r, ScenarioResult.Status s) {
        return (int) r.sections().stream().filter(x -> x.status() == s).count();
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    /** XML 1.0 cannot hold most control characters; a guest may print them. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xfffe || c == 0xffff ? '?' : c);
        }
        return b.toString();
    }
}
