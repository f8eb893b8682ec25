package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void runningCommandsAreToldFromTheOthersByTheirFirstWord() {
        for (String l : new String[] {"continue", " c", "step 3", "si", "next", "finish", "until sched::start", "advance 0x40"}) {
            assertTrue(CommandLine.resumes(l), l);
            assertTrue(CommandLine.forward(l), l);
        }
        for (String l : new String[] {"reverse-step", "rsi 2", "reverse-continue", "rc", "who-wrote $sp 8"}) {
            assertTrue(CommandLine.resumes(l), l);
            assertFalse(CommandLine.forward(l), l + " replays: Pause must not cut it");
        }
        for (String l : new String[] {"break sched::start if pid 2", "watch 0x1000 8 rw", "catch switch", "bt", "ps", "sched 3", "", "stepper"}) {
            assertFalse(CommandLine.resumes(l), l);
        }
        assertTrue(new DebugController.Command.Step().forward());
        assertFalse(new DebugController.Command.ReverseStep().forward(), "Pause must not cut a rewind");
        assertFalse(new DebugController.Command.Typed("rc").forward());
        assertTrue(new DebugController.Command.Typed("next").forward());
        assertFalse(new DebugController.Command.Typed("break kmain").forward());
        assertFalse(new DebugController.Command.ViewCode(0, true).forward());
        assertTrue(CommandLine.isContinue(" continue "));
        assertFalse(CommandLine.isContinue("continue 2"));
    }
}
