package org.vitrine.emulator.debug;

import org.vitrine.emulator.cpu.Cpu;

/**
 * Why a {@link Debugger} resume ended and where the CPU is.
 *
 * @param reason what stopped it
 * @param pc     the next instruction to execute
 * @param exit   the run loop's exit when the machine itself stopped ({@link Reason#EXITED}), else null
 */
public record StopEvent(Reason reason, long pc, Cpu.Exit exit) {
    public enum Reason {
        /** About to execute an instruction with a breakpoint. */
        BREAKPOINT,
        /** The requested number of instructions ran. */
        STEP,
        /** {@link Debugger#interrupt()} (a debugger's Ctrl-C). */
        INTERRUPTED,
        /** The machine stopped by itself: power-off, reset, time limit, hang, abort loop or emulation error (see {@link #exit}). */
        EXITED
    }
}
