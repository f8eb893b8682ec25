package org.vitrine.cli.script;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The cost of one {@code wait-for screen} text search on a 1024x768 screen (part of
 * {@code vitrine bench}): a desktop-like picture (flat panels, noise, a hundred words in 8x16
 * cells) searched for a word that is there once, at every scale the toolkit draws.
 */
public final class TextSearchBenchmark {
    private TextSearchBenchmark() { }

    public static void run(PrintStream out) throws IOException {
        GuestFont font = GuestFont.project();
        int w = 1024, h = 768;
        int[] px = screen(font, w, h, new SplittableRandom(7));
        new FontPainter(font).draw(px, w, 700, 500, new TextFinder.Scale(1, 2), "Terminal", 0xd8dee9, -1);
        TextFinder finder = new TextFinder(font);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int runs = 30;
        long[] ns = new long[runs], cpu = new long[runs];
        int found = 0;
        for (int i = 0; i < runs + 5; i++) {
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            found = finder.find(px, w, h, "Terminal", null).size();
            if (i >= 5) {   // the first runs warm the JIT
                ns[i - 5] = System.nanoTime() - t0;
                cpu[i - 5] = threads.getCurrentThreadCpuTime() - c0;
            }
        }
        Arrays.sort(ns);
        Arrays.sort(cpu);
        out.printf(Locale.ROOT, "text search: %.2f ms median wall (%.2f min), %.2f ms median CPU (%.2f min) for \"Terminal\" "
                        + "on a %dx%d screen, %d scales, %d match; host: %d cores, load average %.1f%n",
                ns[runs / 2] / 1e6, ns[0] / 1e6, cpu[runs / 2] / 1e6, cpu[0] / 1e6, w, h, TextFinder.SCALES.size(), found,
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Flat panels, a noisy picture and words in random colours: what a desktop looks like to the search. */
    static int[] screen(GuestFont font, int w, int h, SplittableRandom r) {
        int[] px = new int[w * h];
        Arrays.fill(px, FontPainter.abgr(0x14181f));
        for (int y = 0; y < 28; y++) Arrays.fill(px, y * w, y * w + w, FontPainter.abgr(0x2b3240));
        for (int y = 400; y < 700; y++) for (int x = 50; x < 450; x++) px[y * w + x] = 0xFF000000 | r.nextInt(1 << 24);
        FontPainter p = new FontPainter(font);
        String[] words = {"echo", "hello", "README", "Files", "Editor", "memory", "KiB", "free", "ready", "$ ls"};
        for (int i = 0; i < 100; i++) {
            String word = words[r.nextInt(words.length)];
            p.draw(px, w, 500 + r.nextInt(400), 40 + r.nextInt(600), new TextFinder.Scale(1, 2), word, r.nextInt(1 << 24), -1);
        }
        return px;
    }

    public static void main(String[] args) throws IOException {
        run(System.out);
    }
}
