package org.vitrine.cli.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.time.A53Figures;
import org.vitrine.emulator.time.TimingModel;

/**
 * The a53 model's memory latency staircase: guest-apps/uarch (rost's timing microbenchmarks,
 * from the built disk) run under {@code --timing a53}, its table printed, and its load latencies
 * by working-set size drawn as a PNG with the Cortex-A53 reference levels (L1, L2, DRAM) dashed.
 */
public final class Staircase {
    private static final Pattern LOAD = Pattern.compile("uarch: load (\\d+)(KiB|MiB) ([0-9.]+)");
    private static final int W = 800, H = 480, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 60;

    private Staircase() { }

    /** One point: working-set bytes and cycles per load. */
    public record Point(long bytes, double cycles) { }

    /** The load-latency lines of uarch's console output. */
    public static List<Point> parse(String console) {
        List<Point> points = new ArrayList<>();
        Matcher m = LOAD.matcher(console);
        while (m.find()) {
            long unit = m.group(2).equals("KiB") ? 1L << 10 : 1L << 20;
            points.add(new Point(Long.parseLong(m.group(1)) * unit, Double.parseDouble(m.group(3))));
        }
        return points;
    }

    /** Runs uarch under the a53 model, prints its lines to {@code out} and draws the staircase into {@code png}. */
    public static void run(Path root, Path png, PrintStream out) throws Exception {
        Path kernel = root.resolve("kernel-image/build/kernel.elf"), disk = root.resolve("guest-apps/build/disk.img");
        if (!kernel.toFile().isFile() || !disk.toFile().isFile()) {
            out.println("staircase: skipped (build rost first: kernel-image/build.sh makes " + kernel + " and " + disk + ")");
            return;
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        VirtBoard.Options d = VirtBoard.Options.defaults();
        VirtBoard.Options o = d.withTiming(d.timing().with(TimingModel.Pipeline.A53)).withDisk(disk, true)
                .withBootArgs("rost.init=/BIN/UARCH");
        try (VirtBoard board = new VirtBoard(o, console::write)) {
            board.loadKernel(kernel);
            Cpu.Exit exit = board.run(60_000_000_000L);
            String text = console.toString(StandardCharsets.UTF_8);
            if (!text.contains("uarch: done")) throw new IllegalStateException("uarch did not finish (" + exit.message() + "):\n" + text);
            text.lines().filter(l -> l.contains("uarch: ")).forEach(l -> out.println(l.substring(l.indexOf("uarch: "))));
            out.println(board.machine().cpu().timingCounts());
            ImageIO.write(draw(parse(text)), "png", png.toFile());
            out.println("staircase: " + png.toAbsolutePath());
        }
    }

    /** The plot: log2 working set across, cycles per load up (linear), reference levels dashed. */
    public static BufferedImage draw(List<Point> points) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double minLog = 12, maxLog = 26, maxY = 200;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString("Vitrine --timing a53: load-to-use latency by working set (guest-apps/uarch)", LEFT, 24);
        g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
        for (int e = (int) minLog; e <= maxLog; e += 2) {
            int x = x(e, minLog, maxLog);
            g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 5);
            String label = e < 20 ? (1 << (e - 10)) + "K" : (1 << (e - 20)) + "M";
            g.drawString(label, x - 8, H - BOTTOM + 20);
        }
        g.drawString("working set (bytes)", W / 2 - 50, H - 15);
        for (int c = 0; c <= maxY; c += 25) {
            int y = y(c, maxY);
            g.drawLine(LEFT - 5, y, LEFT, y);
            g.drawString(Integer.toString(c), LEFT - 35, y + 4);
        }
        g.drawString("cycles", 10, TOP - 8);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        g.setColor(new Color(0x88, 0x88, 0x88));
        String[] names = {"L1 3", "L2 16", "DRAM 166"};
        double[] levels = {A53Figures.L1, A53Figures.L2, A53Figures.DRAM};
        for (int i = 0; i < levels.length; i++) {
            int y = y(levels[i], maxY);
            g.drawLine(LEFT, y, W - RIGHT, y);
            g.drawString("A53 " + names[i], W - RIGHT - 90, y - 4);
        }
        g.setStroke(new BasicStroke(2.5f));
        g.setColor(new Color(0x1f, 0x5f, 0xbf));
        int px = -1, py = -1;
        for (Point p : points) {
            int x = x(Math.log(p.bytes()) / Math.log(2), minLog, maxLog), y = y(p.cycles(), maxY);
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 4, y - 4, 8, 8);
            px = x;
            py = y;
        }
        g.dispose();
        return img;
    }

    private static int x(double log2, double min, double max) {
        return (int) Math.round(LEFT + (log2 - min) / (max - min) * (W - LEFT - RIGHT));
    }

    private static int y(double cycles, double max) {
        return (int) Math.round(H - BOTTOM - Math.min(cycles, max) / max * (H - TOP - BOTTOM));
    }
}
