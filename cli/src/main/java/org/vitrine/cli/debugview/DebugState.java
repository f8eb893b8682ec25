package org.vitrine.cli.debugview;

import java.util.List;
import java.util.Set;

/**
 * Everything the debugger view shows, captured on the emulation thread at one stop and handed to
 * the window thread whole (the window never touches the machine). Immutable.
 *
 * @param running      the guest is running (the rest is as of the last stop, shown dimmed)
 * @param status       why it stopped, or "running", for the tool bar
 * @param regs         the registers at this stop
 * @param changed      the registers the last executing command changed (highlighted)
 * @param disassembly  instructions around PC (or where the user scrolled)
 * @param breakpoints  virtual addresses with a breakpoint
 * @param memory       the memory panel's rows
 * @param reverseAvailable whether the engine can execute backwards (else the buttons are disabled)
 * @param reverseTooltip   why not, when not
 */
public record DebugState(boolean running, String status, long cycles, long instructions, Registers regs,
                         Set<String> changed, List<Line> disassembly, Set<Long> breakpoints, Memory memory,
                         boolean reverseAvailable, String reverseTooltip) {
    /**
     * One disassembled instruction.
     *
     * @param label the symbol that starts here (shown as a label line above it), or null
     * @param where the symbol covering it, {@code "name+0x1c"}, or null
     */
    public record Line(long address, int word, String mnemonic, String operands, String label, String where) { }

    /**
     * The memory panel: {@code rows} of {@link #BYTES_PER_ROW} bytes from {@code address}, by
     * virtual or physical address, with the translation of the first row.
     *
     * @param rows        each row's bytes; a shorter (possibly empty) array where memory is unreachable
     * @param translation e.g. {@code "va 0xffff000000001000 -> pa 0x40001000"}, or why it does not translate
     */
    public record Memory(long address, boolean physical, List<byte[]> rows, String translation) {
        public static final int BYTES_PER_ROW = 8;
    }

    /** This state while the guest runs: the same contents, marked running. */
    public DebugState asRunning() {
        return new DebugState(true, "running", cycles, instructions, regs, Set.of(), disassembly, breakpoints, memory,
                reverseAvailable, reverseTooltip);
    }

    public long pc() {
        return regs.get("pc");
    }
}
