package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.time.A53Figures;
import org.vitrine.emulator.time.TimingModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The a53 timing model (issue 15) measured from inside the guest: guest-apps/uarch, started from
 * the disk as init, times dependent instruction chains, a pointer chase by working-set size,
 * branches and TLB reach on the virtual counter, and every figure it prints must be within 10 %
 * of the Cortex-A53 figure ({@link A53Figures}). The same program under the fixed model shows the
 * figures come from the model (a load from 64 MiB costs what an add does). And the model is
 * deterministic: the same run twice gives the same cycle counts, console and screens.
 */
class TimingMicrobenchmarkTest {
    @TempDir
    static Path dir;
    static Guest.Run a53;

    @BeforeAll
    static void run() throws Exception {
        a53 = uarch(TimingModel.Pipeline.A53);
        System.out.println(a53.console());
    }

    private static Guest.Run uarch(TimingModel.Pipeline pipeline) throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), true).withBootArgs("rost.init=/BIN/UARCH");
        return Guest.vitrine(Guest.kernel(), o.withTiming(o.timing().with(pipeline)), 60_000_000_000L);
    }

    /** The figure uarch printed for {@code what} ({@code task 2: uarch: <what> <cycles>}). */
    static double figure(String console, String what) {
        String prefix = "uarch: " + what + " ";
        for (String line : console.split("\n")) {
            int at = line.indexOf(prefix);
            if (at >= 0) return Double.parseDouble(line.substring(at + prefix.length()).trim());
        }
        throw new AssertionError("uarch printed no '" + what + "':\n" + console);
    }

    @Test
    void everyFigureIsWithinTenPercentOfTheCortexA53s() {
        assertEquals(Cpu.ExitKind.POWER_OFF, a53.exit().kind(), a53.console());
        assertTrue(a53.console().contains("uarch: done"), a53.console());
        List<String> off = new ArrayList<>();
        for (Map.Entry<String, Double> e : A53Figures.expected().entrySet()) {
            double got = figure(a53.console(), e.getKey());
            if (Math.abs(got - e.getValue()) > 0.10 * e.getValue()) off.add(e.getKey() + ": " + got + ", expected " + e.getValue());
        }
        assertTrue(off.isEmpty(), "beyond 10 %: " + off + "\n" + a53.console());
    }

    @Test
    void underTheFixedModelEveryInstructionCostsOneCycle() throws Exception {
        Guest.Run fixed = uarch(TimingModel.Pipeline.FIXED);
        assertTrue(fixed.console().contains("uarch: done"), fixed.console());
        assertEquals(fixed.instructions(), fixed.cycles(), "one cycle per instruction");
        // ten instructions per eight chained operations or loads (the loop's counter and branch)
        assertEquals(1.25, figure(fixed.console(), "load 64MiB"), 0.05, fixed.console());
        assertEquals(1.25, figure(fixed.console(), "chain fdiv"), 0.05, fixed.console());
        assertTrue(a53.cycles() > 3 * fixed.cycles(), a53.cycles() + " vs " + fixed.cycles());
    }

    @Test
    void twoRunsGiveTheSameCyclesAndConsole() throws Exception {
        Guest.Run again = uarch(TimingModel.Pipeline.A53);
        assertEquals(a53.cycles(), again.cycles());
        assertEquals(a53.instructions(), again.instructions());
        assertEquals(a53.console(), again.console());
    }

    /** The boot screen with a key typed, under the a53 model: cycles, console and pixels. */
    private record Screens(long cycles, long instructions, String console, int[] before, int[] after) { }

    private static Screens bootScreen() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtBoard.Options d = VirtBoard.Options.defaults();
        VirtBoard.Options o = d.withTiming(d.timing().with(TimingModel.Pipeline.A53)).withDesktop(new VirtBoard.Options.Display(640, 480));
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(Guest.kernel());
            board.run(400_000_000L);
            Frame first = board.currentFrame();
            assertNotNull(first, out.toString(StandardCharsets.UTF_8));
            int[] before = first.rgba().clone();
            HostInput in = board.input();
            in.post(new HostInput.Event(HostInput.Target.KEYBOARD, HostInput.EV_KEY, 35, 1));
            in.post(HostInput.sync(HostInput.Target.KEYBOARD));
            board.run(600_000_000L);
            Cpu cpu = board.machine().cpu();
            return new Screens(cpu.cycles(), cpu.instructionsRetired(), out.toString(StandardCharsets.UTF_8), before,
                    board.currentFrame().rgba().clone());
        }
    }

    @Test
    void twoRunsGiveTheSameScreens() throws Exception {
        Screens one = bootScreen(), two = bootScreen();
        assertTrue(one.console().contains("[rost] boot screen up"), one.console());
        assertTrue(one.console().contains("[input] key 35 down"), one.console());
        assertEquals(one.cycles(), two.cycles());
        assertEquals(one.instructions(), two.instructions());
        assertEquals(one.console(), two.console());
        assertArrayEquals(one.before(), two.before());
        assertArrayEquals(one.after(), two.after());
        assertTrue(java.util.Arrays.stream(one.after()).distinct().count() > 8, "a drawn screen, not a blank one");
    }
}
