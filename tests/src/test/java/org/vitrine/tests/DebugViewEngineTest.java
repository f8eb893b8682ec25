package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.tests.DebugControllerTimeTest.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.debugview.DebugController;
import org.vitrine.cli.debugview.DebugController.Command;
import org.vitrine.cli.debugview.DebugState;
import org.vitrine.devices.board.VirtBoard;

/**
 * What the debugger view asks of the engine, through its controller, on the real rost kernel (the
 * console demo: the file server and its task demo): a breakpoint by symbol, step out of a call,
 * reverse continue back to the breakpoint hit, "who last wrote" the frame record, a write
 * watchpoint on the scheduler, the process table with "stop when pid N is scheduled", and editing a
 * register and memory, by virtual and by physical address. Each is what a click or a typed line in the view sends.
 */
class DebugViewEngineTest {
    @Test
    void breakpointsStepOutReverseWatchWhoWroteProcessesAndEdits() throws Exception {
        VirtBoard.Options options = VirtBoard.Options.defaults();
        long until = options.timing().cyclesPerSecond() / 2;
        ControllerMachine machine = ControllerMachine.start(options, until, b -> { }, Duration.ofSeconds(60));
        DebugController c = machine.controller;
        DebugState s = await(c, st -> !st.running(), "the first stop");

        // A breakpoint by symbol, typed; continue to it.
        c.submit(new Command.Typed("break kmain"));
        s = await(c, st -> st.stops().size() == 1, "the breakpoint listed");
        assertTrue(s.log().stream().anyMatch(l -> l.startsWith("breakpoint 1 at 0x")), s.log().toString());
        long kmain = s.breakpoints().iterator().next();
        c.submit(new Command.Continue());
        s = await(c, st -> !st.running() && st.pc() == kmain, "the breakpoint hit");
        assertTrue(s.status().startsWith("breakpoint 1"), s.status());
        DebugState atBreak = s;

        // Step until a call is taken (x30 = the instruction after it), then step out back to there.
        long returnTo = 0;
        for (int i = 0; i < 200 && returnTo == 0; i++) {
            DebugState before = s;
            c.submit(new Command.Step());
            s = await(c, st -> !st.running() && st.instructions() == before.instructions() + 1, "a step");
            if (s.regs().get("x30") == before.pc() + 4 && s.pc() != before.pc() + 4) returnTo = before.pc() + 4;
        }
        assertTrue(returnTo != 0, "no call in kmain's first 200 instructions");
        assertTrue(s.stack().size() >= 2 && s.stack().get(1).pc() == returnTo, "the caller in the Stack: " + s.stack());
        long inCall = s.instructions();
        c.submit(new Command.StepOut());
        s = await(c, st -> !st.running() && st.instructions() > inCall, "step out");
        assertEquals(returnTo, s.pc(), "step out lands after the call: " + s.status());
        assertTrue(s.where().equals("kernel"), s.where());

        // "Who last wrote" the frame record x29 points at: kmain's own prologue.
        c.submit(new Command.Typed(String.format("who-wrote 0x%x 8", s.regs().get("x29"))));
        s = await(c, st -> !st.running() && st.log().getLast().startsWith("last written by") || st.log().getLast().startsWith("no write")
                || st.log().getLast().startsWith("error"), "who wrote");
        assertTrue(s.log().getLast().startsWith("last written by kmain"), s.log().getLast());   // its prologue's stp
        assertEquals(returnTo, s.pc(), "who-wrote leaves the machine where it was");

        // Reverse continue: back to the breakpoint hit, registers as they were there.
        c.submit(new Command.ReverseContinue());
        s = await(c, st -> !st.running() && st.pc() == kmain, "reverse continue");
        assertEquals(atBreak.regs(), s.regs(), "the registers at the breakpoint hit");
        assertEquals(atBreak.instructions(), s.instructions());
        c.submit(new Command.Typed("delete 1"));
        s = await(c, st -> st.stops().isEmpty(), "breakpoint deleted");

        // A write watchpoint on the scheduler: the first write after this stops with its instruction.
        c.submit(new Command.Typed("watch sched::SCHEDULER 8 w"));
        s = await(c, st -> st.stops().size() == 1 || st.log().getLast().startsWith("error"), "watchpoint set");
        assertEquals("watch", s.stops().getFirst().kind(), s.log().toString());
        c.submit(new Command.Continue());
        s = await(c, st -> !st.running() && st.status().startsWith("watchpoint"), "the watchpoint hit");
        assertTrue(s.status().contains("write of"), s.status());
        c.submit(new Command.Typed(s.stops().getFirst().delete()));
        s = await(c, st -> st.stops().isEmpty(), "watchpoint deleted");

        // On until the task demo runs several processes, then stop when another one is scheduled.
        c.submit(new Command.Typed("catch switch"));
        for (int i = 0; i < 20 && s.processes().size() < 3; i++) {
            long at = s.instructions();
            c.submit(new Command.Continue());
            s = await(c, st -> !st.running() && st.instructions() > at, "a process switch");
        }
        assertTrue(s.processes().size() >= 3, "the process table: " + s.processes() + " " + s.processProblem());
        assertEquals(1, s.processes().stream().filter(DebugState.Process::current).count(), "one current: " + s.processes());
        c.submit(new Command.Typed("catch off"));
        DebugState withTable = s;
        long other = s.processes().stream().filter(p -> !p.current() && !p.state().equals("zombie")).findFirst().orElseThrow().pid();
        c.submit(new Command.Typed("sched " + other));
        s = await(c, st -> st.processes().stream().anyMatch(DebugState.Process::breakWhenScheduled), "sched set");
        assertTrue(s.stops().stream().anyMatch(r -> r.kind().equals("sched")), s.stops().toString());
        c.submit(new Command.Continue());
        s = await(c, st -> !st.running() && st.instructions() > withTable.instructions(), "pid scheduled");
        assertEquals("pid " + other + " (", s.status().substring(0, s.status().indexOf('(') + 1), s.status());
        assertTrue(s.where().startsWith("pid " + other + " "), s.where());
        System.out.printf("[debug-view-engine] %s; processes %s%n", s.status(), s.processes());

        // Edits: a register, and memory at the stack pointer (the view's memory panel shows it).
        c.submit(new Command.SetRegister("x5", 0x1234_5678L));
        s = await(c, st -> st.regs().get("x5") == 0x1234_5678L, "x5 set");
        assertTrue(s.changed().contains("x5"), "the edited register highlighted");
        long sp = s.regs().get("sp");
        c.submit(new Command.ViewMemory(sp, false, 4));
        c.submit(new Command.WriteMemory(sp, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}));
        s = await(c, st -> st.memory().address() == sp && st.memory().rows().getFirst().length == 8
                && (st.memory().rows().getFirst()[0] & 0xff) == 0xde, "memory written");
        assertEquals(0xef, s.memory().rows().getFirst()[3] & 0xff);
        assertFalse(s.running());

        // Physical memory: the toggle shows the same bytes by their physical address, with the
        // translation; a byte typed there lands in RAM, and the virtual view (toggled back) shows it.
        c.submit(new Command.ViewMemory(sp, true, 4));
        s = await(c, st -> st.memory().physical(), "physical view");
        long pa = s.memory().address();
        assertTrue(pa != sp, "a physical address, not the virtual one: 0x" + Long.toHexString(pa));
        assertTrue(s.memory().translation().contains("<- va 0x" + Long.toHexString(sp)), s.memory().translation());
        assertEquals(0xde, s.memory().rows().getFirst()[0] & 0xff, "the bytes written by virtual address, seen by physical");
        c.submit(new Command.WriteMemory(pa + 1, new byte[] {0x5a}, true));
        s = await(c, st -> (st.memory().rows().getFirst()[1] & 0xff) == 0x5a, "physical byte written");
        c.submit(new Command.WriteMemory(0x0900_0000L, new byte[] {0x41}, true));   // the UART: not RAM, refused
        s = await(c, st -> st.log().getLast().startsWith("error"), "a write outside RAM refused");
        assertTrue(s.log().getLast().contains("not RAM"), s.log().getLast());
        c.submit(new Command.ViewMemory(pa, false, 4));
        s = await(c, st -> !st.memory().physical(), "virtual view again");
        assertEquals(sp, s.memory().address(), "back at the virtual address it was looked at by");
        assertEquals(0x5a, s.memory().rows().getFirst()[1] & 0xff, "the physical write, seen by virtual address");

        // The edits are part of the past a rewind comes back to: a step and a reverse step keep them.
        DebugState edited = s;
        c.submit(new Command.Step());
        s = await(c, st -> st != edited && !st.running() && st.status().equals("step"), "a step after the edits");
        DebugState stepped = s;
        c.submit(new Command.ReverseStep());
        s = await(c, st -> st != stepped && !st.running(), "reverse step over the edits");
        assertEquals(edited.regs(), s.regs(), "the edited register (x5) as edited");
        assertEquals(edited.instructions(), s.instructions());
        assertEquals(java.util.HexFormat.of().formatHex(edited.memory().rows().getFirst()), java.util.HexFormat.of().formatHex(s.memory().rows().getFirst()),
                "the edited bytes as edited");

        c.quit();
        machine.awaitEnd(Duration.ofSeconds(60));
        System.out.printf("[debug-view-engine] stops:%n%s", machine.log());
    }
}
