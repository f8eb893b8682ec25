package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.debugview.DebugController;
import org.vitrine.cli.debugview.DebugController.Command;
import org.vitrine.cli.debugview.DebugState;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/**
 * The debugger view's controller on the real rost kernel and the real debugger engine, without a
 * window: stepping, stepping over, reverse stepping (registers back as they were), running to an
 * address, breakpoints, a typed command, looking at memory and pausing a running guest (at a moment
 * only the wall clock decides) leave guest time alone. The debugged run ends at the same time
 * limit with the same console, instruction count and cycle count as an undebugged run.
 */
class DebugControllerTimeTest {
    static final Duration GUARD = Duration.ofSeconds(60);

    @Test
    void steppingBreakingAndPausingDoNotChangeGuestTime() throws Exception {
        VirtBoard.Options options = VirtBoard.Options.defaults();
        long until = options.timing().cyclesPerSecond() / 4;   // a quarter of a second of rost's console demo
        Guest.Run plain = Guest.vitrine(Guest.kernel(), options, until);
        assertEquals(Cpu.ExitKind.TIME_LIMIT, plain.exit().kind(), plain.exit().message());

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        // As in vitrine run: the machine is made and run on its own thread, the view's commands come from another.
        ControllerMachine machine = ControllerMachine.start(options, until, console::write, GUARD);
        {
            DebugController c = machine.controller;
            DebugState s = await(c, st -> !st.running(), "the first stop");
            long entry = s.pc();
            assertEquals(0, s.instructions());

            for (int i = 1; i <= 5; i++) {
                c.submit(new Command.Step());
                int n = i;
                s = await(c, st -> !st.running() && st.instructions() == n, "step " + n);
                Thread.sleep(20);   // wall time passes while stopped
            }
            assertTrue(s.changed().contains("pc"), "pc highlighted after a step: " + s.changed());
            long pc = s.pc();
            assertTrue(s.disassembly().stream().anyMatch(l -> l.address() == pc), "the listing shows PC");
            assertTrue(s.disassembly().stream().anyMatch(l -> "__kernel_start".equals(l.label())), "the entry symbol labels its line");
            assertEquals(entry + 5 * 4, s.pc(), "rost's entry runs straight for five instructions");

            // Past the BSS-clearing loop to the call of the kernel's main: run to it, step into it.
            long call = entry + 0x54;
            assertEquals("bl", s.disassembly().stream().filter(l -> l.address() == call).findFirst().orElseThrow().mnemonic());
            c.submit(new Command.RunTo(call));
            s = await(c, st -> !st.running() && st.pc() == call, "run to the call");
            assertFalse(s.breakpoints().contains(call), "run to cursor leaves no breakpoint behind");
            c.submit(new Command.Step());
            long at = s.instructions();
            s = await(c, st -> !st.running() && st.instructions() == at + 1, "step into the call");
            assertEquals(Set.of("pc", "x30"), s.changed(), "a call changes pc and the link register");
            assertEquals(call + 4, s.regs().get("x30"));

            // Step over until one step runs a whole call (pc lands after the bl, many instructions later).
            boolean steppedOverACall = false;
            for (int i = 0; i < 300 && !steppedOverACall; i++) {
                DebugState before = s;
                boolean isCall = before.disassembly().stream().anyMatch(l -> l.address() == before.pc() && l.mnemonic().equals("bl"));
                c.submit(new Command.StepOver());
                s = await(c, st -> !st.running() && st.instructions() > before.instructions(), "step over");
                if (isCall) {
                    assertEquals(before.pc() + 4, s.pc(), "stepped over the call");
                    steppedOverACall = s.instructions() - before.instructions() > 1;
                } else {
                    assertEquals(before.instructions() + 1, s.instructions(), "a plain step over is one instruction");
                }
            }
            assertTrue(steppedOverACall, "no call stepped over in 300 steps");

            // One step forward, one back: every register as it was, one instruction fewer.
            DebugState beforeStep = s;
            c.submit(new Command.Step());
            s = await(c, st -> !st.running() && st.instructions() == beforeStep.instructions() + 1, "a step");
            c.submit(new Command.ReverseStep());
            s = await(c, st -> !st.running() && st.instructions() == beforeStep.instructions(), "reverse step");
            assertEquals(beforeStep.regs(), s.regs(), "reverse step: the registers as before the step");
            assertEquals(beforeStep.cycles(), s.cycles(), "reverse step: the cycle count as before the step");

            // A typed command (the batch language): a breakpoint by symbol, listed, then deleted by its id.
            c.submit(new Command.Typed("break kmain if pid 0"));
            s = await(c, st -> !st.stops().isEmpty() || st.log().stream().anyMatch(l -> l.startsWith("error")), "a typed breakpoint");
            assertEquals("break", s.stops().getFirst().kind(), s.log().toString());
            c.submit(new Command.Typed(s.stops().getFirst().delete()));
            s = await(c, st -> st.stops().isEmpty(), "deleted");

            c.submit(new Command.ViewMemory(s.regs().get("sp"), true, 4));   // physical view: reads RAM only
            s = await(c, st -> st.memory().physical(), "physical memory");
            assertEquals(4, s.memory().rows().size(), s.memory().translation());

            c.submit(new Command.Continue());   // paused whenever the wall clock says
            await(c, DebugState::running, "running");
            // Well before the run could reach the time limit: rost's demo runs its quarter second
            // (250 M instructions) in about 300 ms of wall time with Debian's libunicorn on a quiet
            // machine (190 M instructions in 300 ms), and in less with a faster engine (patch 0005:
            // 275 M), after which there is nothing left to pause.
            Thread.sleep(100);
            c.pause();
            s = await(c, st -> !st.running(), "paused");

            // Breakpoints on the IRQ vectors (from EL1 and from EL0): the 10 ms timer tick comes to one of them.
            long vbar = s.regs().get("vbar_el1");
            Set<Long> vectors = Set.of(vbar + 0x280, vbar + 0x480);
            for (long v : vectors) c.submit(new Command.ToggleBreakpoint(v));
            s = await(c, st -> st.breakpoints().equals(vectors), "breakpoints set");
            c.submit(new Command.Continue());
            long paused = s.instructions();
            s = await(c, st -> !st.running() && st.instructions() > paused, "breakpoint hit");
            assertTrue(vectors.contains(s.pc()), "stopped at an IRQ vector: 0x" + Long.toHexString(s.pc()) + ", " + s.status());
            assertTrue(s.status().contains("breakpoint"), s.status());
            for (long v : vectors) c.submit(new Command.ToggleBreakpoint(v));
            s = await(c, st -> st.breakpoints().isEmpty(), "breakpoints cleared");

            c.submit(new Command.Continue());   // on to the time limit
            ControllerMachine.End end = machine.awaitEnd(GUARD);
            assertEquals(Cpu.ExitKind.TIME_LIMIT, end.kind(), "ends at the time limit");
            assertEquals(plain.console(), console.toString(StandardCharsets.UTF_8), "the same console");
            assertEquals(plain.instructions(), end.instructions(), "the same instructions");
            assertEquals(plain.cycles(), end.cycles(), "the same cycles");
            System.out.printf("[debug-controller] debugged and plain runs: %d instructions, %d cycles each; stops:%n%s",
                    end.instructions(), end.cycles(), machine.log());
        }
    }

    static DebugState await(DebugController c, Predicate<DebugState> p, String what) throws InterruptedException {
        for (long end = System.nanoTime() + GUARD.toNanos(); System.nanoTime() < end; Thread.sleep(5)) {
            DebugState s = c.state();
            if (s != null && p.test(s)) return s;
        }
        DebugState s = c.state();
        throw new AssertionError("timed out waiting for " + what + (s == null ? "" : ": " + s.status() + " at 0x"
                + Long.toHexString(s.pc()) + " after " + s.instructions() + " instructions"));
    }
}
