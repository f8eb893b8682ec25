package org.vitrine.cli.debugview;

import java.util.List;
import java.util.Optional;

import org.vitrine.emulator.debug.StopEvent;

/**
 * What the view needs from the debugger engine beyond {@link org.vitrine.emulator.debug.Debugger}'s
 * own API: reverse execution (restoring snapshots), rost's process table and a symbolised
 * backtrace. The engine (issue 11's headless part, {@code vitrine debug}) implements this and
 * the run session passes it to {@link DebugController}; until then {@link #NONE} is used and the
 * view shows its reverse buttons disabled, with {@link #reverseUnavailableReason()} as their tooltip.
 *
 * <p>Every method runs on the emulation thread while the machine is halted, like the Debugger's.
 */
public interface EngineHooks {
    /** No engine: no reverse execution, no processes, no backtrace. */
    EngineHooks NONE = new EngineHooks() { };

    /** Whether {@link #reverseStep} and {@link #reverseContinue} work now. */
    default boolean reverseAvailable() {
        return false;
    }

    /** Why reverse execution is not available (the disabled buttons' tooltip). */
    default String reverseUnavailableReason() {
        return "reverse execution needs the debugger engine's snapshots (issue 11): not available yet";
    }

    /** Goes back one instruction: the machine as it was before the last one executed. */
    default StopEvent reverseStep() {
        throw new UnsupportedOperationException(reverseUnavailableReason());
    }

    /** Goes back to the previous breakpoint or watchpoint hit. */
    default StopEvent reverseContinue() {
        throw new UnsupportedOperationException(reverseUnavailableReason());
    }

    /** The symbol covering a code address ({@code "name+0x1c"}), if the engine knows one. */
    default Optional<String> symbolize(long address) {
        return Optional.empty();
    }

    /** Frames from the current PC outwards, symbolised, e.g. {@code "#1 0xffff... syscall_entry+0x40"}. */
    default List<String> backtrace() {
        return List.of();
    }

    /** rost's processes, one line each (pid, name, state), the current one first. */
    default List<String> processes() {
        return List.of();
    }
}
