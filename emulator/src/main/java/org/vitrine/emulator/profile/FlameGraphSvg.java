package org.vitrine.emulator.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folded stacks ({@code outer;...;inner} with a sample count each, the format Brendan Gregg's
 * flame graphs read) drawn as a flame graph in plain SVG: one box per frame, as wide as its share
 * of the samples, callers below callees, siblings in name order, a tooltip ({@code <title>}) on
 * every box with its samples and share. No script, so any browser or image viewer shows it.
 * Colours tell the layers apart: processes (the bottom row) violet, the kernel and system calls
 * blue, user code warm, each shade fixed by the name so that two graphs can be compared.
 */
public final class FlameGraphSvg {
    static final int WIDTH = 1200, ROW = 17, PAD = 10, TOP = 44;
    private static final double CHAR = 7.0;

    private FlameGraphSvg() { }

    /** A frame and its callees, with the samples of every stack through it. */
    private static final class Node {
        final String name;
        long samples;
        final Map<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }

        Node child(String n) {
            return children.computeIfAbsent(n, Node::new);
        }
    }

    /** The SVG text for {@code folded} (stack to samples), titled {@code title}. */
    public static String render(String title, Map<String, Long> folded) {
        Node root = new Node("all");
        for (Map.Entry<String, Long> e : folded.entrySet()) {
            if (e.getValue() <= 0) continue;
            Node n = root;
            n.samples += e.getValue();
            for (String frame : e.getKey().split(";")) {
                n = n.child(frame);
                n.samples += e.getValue();
            }
        }
        int depth = depth(root);
        int height = TOP + (depth + 1) * ROW + PAD * 2;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format("<?xml version=\"1.0\" standalone=\"no\"?>%n"));
        svg.append(String.format("<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">%n",
                WIDTH, height, WIDTH, height));
        svg.append(String.format("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f4\"/>%n", WIDTH, height));
        svg.append(String.format("<text x=\"%d\" y=\"24\" font-family=\"monospace\" font-size=\"17\" text-anchor=\"middle\">%s</text>%n",
                WIDTH / 2, escape(title)));
        svg.append(String.format("<text x=\"%d\" y=\"38\" font-family=\"monospace\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">%d samples; hover a box for its share</text>%n",
                WIDTH / 2, root.samples));
        if (root.samples > 0) {
            double scale = (WIDTH - 2.0 * PAD) / root.samples;
            draw(svg, root, PAD, height - PAD - ROW, scale, root.samples, 0);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static int depth(Node n) {
        int d = 0;
        for (Node c : n.children.values()) d = Math.max(d, 1 + depth(c));
        return d;
    }

    private static void draw(StringBuilder svg, Node n, double x, int y, double scale, long total, int level) {
        double w = n.samples * scale;
        if (w >= 0.3) {
            String fill = colour(n.name, level);
            svg.append(String.format("<g><title>%s (%d samples, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\" stroke=\"#f8f8f4\" stroke-width=\"0.5\"/>",
                    escape(n.name), n.samples, 100.0 * n.samples / total, x, y, w, ROW - 1, fill));
            int fits = (int) ((w - 6) / CHAR);
            if (fits >= 3) {
                String label = n.name.length() <= fits ? n.name : n.name.substring(0, fits - 2) + "..";
                svg.append(String.format("<text x=\"%.1f\" y=\"%d\" font-family=\"monospace\" font-size=\"12\" fill=\"#111\">%s</text>",
                        x + 3, y + ROW - 5, escape(label)));
            }
            svg.append("</g>\n");
        }
        double cx = x;
        for (Node c : n.children.values()) {
            draw(svg, c, cx, y - ROW, scale, total, level + 1);
            cx += c.samples * scale;
        }
    }

    /** A stable colour per name: violet for processes, blue for the kernel, warm for user code. */
    static String colour(String name, int level) {
        int h = name.hashCode() & 0x7fffffff;
        int r, g, b;
        if (level == 0) {
            return "#e8e8e0";
        } else if (level == 1) {
            r = 170 + h % 40; g = 140 + (h >> 8) % 30; b = 220 + (h >> 16) % 30;
        } else if (isKernel(name)) {
            r = 90 + h % 50; g = 160 + (h >> 8) % 50; b = 220 + (h >> 16) % 30;
        } else {
            r = 230 + h % 25; g = 110 + (h >> 8) % 110; b = 40 + (h >> 16) % 50;
        }
        return String.format("#%02x%02x%02x", Math.min(r, 255), Math.min(g, 255), Math.min(b, 255));
    }

    static boolean isKernel(String name) {
        return name.startsWith("[") || name.startsWith("rost_kernel") || name.startsWith("kernel ");
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c < 0x20 ? '?' : c);
            }
        }
        return out.toString();
    }

    /** The stacks with the most samples first (for summaries). */
    static List<Map.Entry<String, Long>> heaviest(Map<String, Long> folded, int n) {
        List<Map.Entry<String, Long>> all = new ArrayList<>(folded.entrySet());
        all.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return all.subList(0, Math.min(n, all.size()));
    }
}
