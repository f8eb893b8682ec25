package org.vitrine.cli.debugview;

import java.util.List;
import java.util.Set;

/**
 * Everything the debugger view shows, captured on the emulation thread at one stop and handed to
 * the window thread whole (the window never touches the machine). Immutable.
 *
 * @param running      the guest is running, or the engine is working (rewinding): the rest is as
 *                     of the last stop, shown dimmed
 * @param status       why it stopped ({@code "step"}, the engine's one-line detail), or what runs
 * @param where        the current process and program, e.g. {@code "pid 3 terminal"} ({@code "kernel"} for pid 0)
 * @param regs         the registers at this stop
 * @param changed      the registers the last executing command changed (highlighted)
 * @param disassembly  instructions around PC (or where the user scrolled)
 * @param breakpoints  virtual addresses with a breakpoint (the gutter's dots)
 * @param stops        every breakpoint, watchpoint, catch and "break when pid N is scheduled", for the list
 * @param memory       the memory panel's rows
 * @param stack        the backtrace, innermost first
 * @param processes    rost's process table, or empty with {@code processProblem} saying why
 * @param log          the command bar's transcript: each command and what it printed, oldest first
 */
public record DebugState(boolean running, String status, String where, long cycles, long instructions, Registers regs,
                         Set<String> changed, List<Line> disassembly, Set<Long> breakpoints, List<StopRule> stops,
                         Memory memory, List<Frame> stack, List<Process> processes, String processProblem, List<String> log) {
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

    /** One frame of the backtrace. */
    public record Frame(int level, long pc, String where) { }

    /** One process of rost's table; {@code breakWhenScheduled}: the view stops when it next runs. */
    public record Process(long pid, String name, String state, long cpuNs, boolean current, boolean breakWhenScheduled) { }

    /**
     * One rule that stops the guest, as the Breakpoints list shows it.
     *
     * @param kind   "break", "watch", "catch" or "sched"
     * @param delete the command line that removes it ({@code "delete 3"}), or null when a click on it
     *               does something else (a catch is removed with the others: {@code "catch off"})
     */
    public record StopRule(String kind, String text, String delete) { }

    /** This state while the guest runs (or the engine works): the same contents, marked running. */
    public DebugState asRunning(String what) {
        return new DebugState(true, what, where, cycles, instructions, regs, Set.of(), disassembly, breakpoints, stops, memory, stack,
                processes, processProblem, log);
    }

    public long pc() {
        return regs.get("pc");
    }
}
