package org.vitrine.emulator.unicorn;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ending a run: at an {@code until} address, after {@code count} instructions, by a timeout, and
 * by {@link Unicorn#stop()} from a block hook, which stops before that block runs (and the hook
 * sees the block again on restart). A stop issued while nothing runs is lost.
 */
class UnicornRunControlTest {
    @Test
    void stopsAtUntilAddress() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    add x0, x0, #1
                    add x0, x0, #1
                    add x0, x0, #1
                stop_here:
                    add x0, x0, #1
                    add x0, x0, #1
                done:
                    nop
                """);
            assertFalse(uc.isRunning());
            assertEquals(0, uc.start(p.base(), p.symbol("stop_here"), 0, 0));
            assertEquals(3, uc.reg(Arm64Reg.x(0)));
            assertEquals(p.symbol("stop_here"), uc.reg(Arm64Reg.PC));
            // resuming from there runs the rest
            assertEquals(0, uc.start(uc.reg(Arm64Reg.PC), p.symbol("done"), 0, 0));
            assertEquals(5, uc.reg(Arm64Reg.x(0)));
        }
    }

    @Test
    void stopsAfterCountInstructions() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                loop:
                    add x0, x0, #1
                    b loop
                """);
            // add, b, add, b, add
            assertEquals(0, uc.start(p.base(), Guest.NEVER, 0, 5));
            assertEquals(3, uc.reg(Arm64Reg.x(0)));
            assertEquals(p.base() + 4, uc.reg(Arm64Reg.PC), "next instruction: the branch");
            assertEquals(0, uc.start(uc.reg(Arm64Reg.PC), Guest.NEVER, 0, 1));
            assertEquals(p.base(), uc.reg(Arm64Reg.PC), "one more instruction: the branch");
            assertEquals(3, uc.reg(Arm64Reg.x(0)));
        }
    }

    /**
     * The run returns, and not before its timeout (20 ms): a loaded host can only make it later. A
     * timeout that did not work would spin forever; the test's own timeout (a failure guard, far
     * beyond any scheduling delay) turns that into a failure.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void timeoutEndsAnEndlessLoop() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                spin:
                    b spin
                """);
            long t0 = System.nanoTime();
            assertEquals(0, uc.start(p.base(), Guest.NEVER, 20_000, 0));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 15, "returned after " + ms + " ms, before its 20 ms timeout");
            assertEquals(p.base(), uc.reg(Arm64Reg.PC));
        }
    }

    @Test
    void stopInBlockHookStopsBeforeThatBlock() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    add x0, x0, #1
                    b second
                    nop
                second:
                    add x1, x1, #1
                    add x1, x1, #1
                done:
                    nop
                """);
            long second = p.symbol("second");
            List<Long> blocks = new ArrayList<>();
            boolean[] stopped = {false};
            uc.hookBlock((address, size) -> {
                blocks.add(address);
                if (address == second && !stopped[0]) {
                    stopped[0] = true;
                    uc.stop();
                }
            });
            assertEquals(0, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(second, uc.reg(Arm64Reg.PC), "stopped at the start of the block");
            assertEquals(1, uc.reg(Arm64Reg.x(0)), "the first block ran");
            assertEquals(0, uc.reg(Arm64Reg.x(1)), "no instruction of the stopped block ran");
            assertEquals(List.of(p.base(), second), blocks);
            assertEquals(0, uc.start(uc.reg(Arm64Reg.PC), p.symbol("done"), 0, 0));
            assertEquals(p.symbol("done"), uc.reg(Arm64Reg.PC));
            assertEquals(2, uc.reg(Arm64Reg.x(1)));
            assertEquals(List.of(p.base(), second, second), blocks, "the hook sees the block again on restart");
        }
    }

    @Test
    void stopWhileNotRunningIsLost() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    add x0, x0, #1
                    b 1f
                1:  add x0, x0, #1
                done:
                    nop
                """);
            uc.stop();
            Guest.runToDone(uc, p);
            assertEquals(2, uc.reg(Arm64Reg.x(0)), "the earlier stop did not cut this run short");
        }
    }
}
