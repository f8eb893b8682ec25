package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.vitrine.emulator.capstone.Disassembler;
import org.vitrine.emulator.capstone.Instruction;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.SysReg;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The debugger core: breakpoints, stepping, registers, memory by virtual address and disassembly
 * for one {@link Machine}. Frontends (the GDB stub, a debugger view) drive it.
 *
 * <p>Breakpoints and stepping use Unicorn code hooks, which cost a Java upcall per hooked
 * instruction. Breakpoints share one hook over every instruction, installed while any breakpoint
 * exists: a hook bounded to the breakpoint's own address was faster, but in libunicorn 2.1.1 its
 * mere presence made the block hook's "stop before this block" let the block run and then resume
 * at its start, so code that asks for a stop (IC IVAU in a loader loop) ran twice. The stepping
 * hook exists only between a step and the next continue; with neither the machine runs exactly
 * as without a debugger. Execution always goes through {@link Cpu#run}, so devices,
 * interrupts and virtual time behave as in a normal run; a stop gives back the cycles of the
 * instructions that did not run, so each stepped instruction is charged exactly once.
 *
 * <p>Everything but {@link #interrupt()} must be called on the emulation thread while the
 * machine is halted (not inside a run).
 */
public final class Debugger implements AutoCloseable {
    private static final long NONE = 1; // no instruction is at an odd address

    private final Machine machine;
    private final Cpu cpu;
    private final Unicorn uc;
    private final VirtualMemory memory;
    private final Unicorn.CodeStub stepStub;
    private final Unicorn.CodeStub breakpointStub;
    private final Set<Long> breakpoints = new TreeSet<>(Long::compareUnsigned);
    private Cpu.InstructionHook breakpointHook;
    private Cpu.InstructionHook stepHook;
    private Disassembler disassembler;
    private long untilCycle = Long.MAX_VALUE;

    // state of the resume in progress, touched by the hooks on the emulation thread
    private long stepsLeft = -1;          // -1: not stepping
    private long skipBreakpointAt = NONE; // the resume address: its breakpoint must not stop the resume
    private StopEvent.Reason hookStop;
    private volatile boolean interruptRequested;
    private volatile boolean closed;

    public Debugger(Machine machine) {
        this.machine = machine;
        this.cpu = machine.cpu();
        this.uc = machine.unicorn();
        this.memory = new VirtualMemory(cpu, machine.ram());
        this.stepStub = uc.codeStub(this::onStepHook);
        this.breakpointStub = uc.codeStub(this::onBreakpointHook);
    }

    /** Runs stop at this cycle (exclusive), as {@link Cpu#run}'s limit. */
    public void setTimeLimit(long untilCycle) {
        this.untilCycle = untilCycle;
    }

    // ---- breakpoints ---------------------------------------------------------------------------

    /** Adds a breakpoint at a virtual address (of any address space); false if there was one. */
    public boolean addBreakpoint(long va) {
        if (!breakpoints.add(va)) return false;
        if (breakpointHook == null) breakpointHook = cpu.hookInstructions(breakpointStub, 1, 0);
        return true;
    }

    public boolean removeBreakpoint(long va) {
        if (!breakpoints.remove(va)) return false;
        if (breakpoints.isEmpty()) closeBreakpointHook();
        return true;
    }

    private void closeBreakpointHook() {
        if (breakpointHook != null) {
            breakpointHook.close();
            breakpointHook = null;
        }
    }

    public Set<Long> breakpoints() {
        return Set.copyOf(breakpoints);
    }

    /** True while a code hook is installed (the machine then runs slower than without a debugger). */
    public boolean hooksInstalled() {
        return stepHook != null || !breakpoints.isEmpty();
    }

    // ---- execution -----------------------------------------------------------------------------

    /** Executes exactly one instruction (a faulting one ends on its exception vector, as on hardware). */
    public StopEvent step() {
        return step(1);
    }

    /** Executes {@code count} instructions, fewer if the machine stops or is interrupted first. */
    public StopEvent step(long count) {
        if (count < 1) throw new IllegalArgumentException("step count must be positive: " + count);
        if (stepHook == null) stepHook = cpu.hookInstructions(stepStub, 1, 0);
        stepsLeft = count;
        return resume();
    }

    /** Runs until a breakpoint, an interrupt, or the machine stops by itself. */
    public StopEvent cont() {
        if (stepHook != null) {   // back to full speed until the next step
            stepHook.close();
            stepHook = null;
        }
        stepsLeft = -1;
        skipBreakpointAt = breakpoints.contains(pc()) ? pc() : NONE;
        return resume();
    }

    /**
     * Stops a resume in progress (a debugger's Ctrl-C); safe from any thread. One that arrives
     * while the machine is halted stops the next resume at once.
     */
    public void interrupt() {
        if (closed) return;
        interruptRequested = true;
        cpu.post(() -> {
            if (interruptRequested && !closed) cpu.requestStop();
        });
    }

    private StopEvent resume() {
        hookStop = null;
        Cpu.Exit exit = cpu.run(untilCycle);
        stepsLeft = -1;
        skipBreakpointAt = NONE;
        if (exit.kind() != Cpu.ExitKind.STOPPED) return stopped(StopEvent.Reason.EXITED, exit);
        if (hookStop != null) return stopped(hookStop, null);
        return stopped(StopEvent.Reason.INTERRUPTED, null);
    }

    private StopEvent stopped(StopEvent.Reason reason, Cpu.Exit exit) {
        interruptRequested = false;
        return new StopEvent(reason, pc(), exit);
    }

    private void onStepHook(long address, int size) {
        if (stepsLeft < 0) return;
        if (stepsLeft == 0) {
            hookStop = StopEvent.Reason.STEP;
            cpu.breakBefore(address);
        } else {
            stepsLeft--;
        }
    }

    private void onBreakpointHook(long address, int size) {
        if (stepsLeft >= 0) return; // a step is exact: breakpoints do not cut it short
        if (address == skipBreakpointAt) {
            skipBreakpointAt = NONE;
            return;
        }
        if (breakpoints.contains(address)) {
            hookStop = StopEvent.Reason.BREAKPOINT;
            cpu.breakBefore(address);
        }
    }

    // ---- registers -----------------------------------------------------------------------------

    /** Xn, n = 0..30. */
    public long x(int n) {
        checkX(n);
        return uc.reg(Arm64Reg.x(n));
    }

    public void x(int n, long value) {
        checkX(n);
        uc.reg(Arm64Reg.x(n), value);
    }

    private static void checkX(int n) {
        if (n < 0 || n > 30) throw new IllegalArgumentException("no register x" + n);
    }

    /** The stack pointer of the current mode (SP_EL0 or SP_ELx, as PSTATE.SP selects). */
    public long sp() {
        return uc.reg(Arm64Reg.SP);
    }

    public void sp(long value) {
        uc.reg(Arm64Reg.SP, value);
    }

    public long pc() {
        return uc.reg(Arm64Reg.PC);
    }

    public void pc(long value) {
        uc.reg(Arm64Reg.PC, value);
    }

    /** PSTATE in SPSR layout, which is what gdb's aarch64 {@code cpsr} shows (NZCV, DAIF, EL, SP). */
    public long cpsr() {
        return uc.reg(Arm64Reg.PSTATE) & 0xffff_ffffL;
    }

    public void cpsr(long value) {
        uc.reg(Arm64Reg.PSTATE, value & 0xffff_ffffL);
        // A PSTATE write leaves libunicorn's cached EL/MMU flags stale; any CP_REG write rebuilds them.
        SysReg.SPSR_EL1.write(uc, SysReg.SPSR_EL1.read(uc));
    }

    public long fpsr() {
        return uc.reg(Arm64Reg.FPSR) & 0xffff_ffffL;
    }

    public void fpsr(long value) {
        uc.reg(Arm64Reg.FPSR, value & 0xffff_ffffL);
    }

    public long fpcr() {
        return uc.reg(Arm64Reg.FPCR) & 0xffff_ffffL;
    }

    public void fpcr(long value) {
        uc.reg(Arm64Reg.FPCR, value & 0xffff_ffffL);
    }

    /** Vn as {low 64 bits, high 64 bits}. */
    public long[] v(int n) {
        return uc.vector(n);
    }

    public void v(int n, long low, long high) {
        uc.vector(n, low, high);
    }

    /** Cycles since reset and instructions retired, as the machine counts them. */
    public long cycles() {
        return cpu.cycles();
    }

    public long instructionsRetired() {
        return cpu.instructionsRetired();
    }

    // ---- memory and disassembly ------------------------------------------------------------------

    /**
     * Reads guest memory by virtual address through the current translation. Returns the bytes up
     * to the first one that is unmapped or not RAM (an empty array if the first is).
     */
    public byte[] readMemory(long va, int length) {
        return memory.read(va, length);
    }

    /**
     * Writes guest memory by virtual address; returns how many bytes were written (stopping at the
     * first unmapped one). Translated code is flushed, since the bytes may be instructions.
     */
    public int writeMemory(long va, byte[] data) {
        int n = memory.write(va, data);
        if (n > 0) uc.flushTranslations();
        return n;
    }

    /**
     * Writes {@code data} at physical address {@code pa}, RAM only (a device register has side
     * effects), up to the first byte that is not RAM; returns how many bytes were written.
     */
    public int writePhysical(long pa, byte[] data) {
        int n = 0;
        while (n < data.length && machine.ram().contains(pa + n, 1)) n++;
        if (n == 0) return 0;
        try {
            machine.ram().write(pa, data, 0, n);
        } catch (org.vitrine.emulator.memory.PhysicalMemory.BadAddressException e) {
            return 0;
        }
        uc.flushTranslations();
        return n;
    }

    /**
     * Disassembles up to {@code count} instructions from {@code va}, ending early at unreadable
     * memory. Words Capstone cannot decode appear as {@code .inst 0x...}.
     */
    public List<Instruction> disassemble(long va, int count) {
        byte[] code = memory.read(va, Math.max(0, count) * 4);
        if (disassembler == null) disassembler = Disassembler.open();
        List<Instruction> out = new ArrayList<>();
        for (int i = 0; i + 4 <= code.length; i += 4) {
            long address = va + i;
            int word = (code[i] & 0xff) | (code[i + 1] & 0xff) << 8 | (code[i + 2] & 0xff) << 16 | (code[i + 3] & 0xff) << 24;
            Instruction insn = disassembler.decodeOne(word, address);
            out.add(insn != null ? insn : new Instruction(address, 4, word, ".inst", String.format("0x%08x", word),
                    Instruction.ID_INVALID, Set.of(), Instruction.Condition.INVALID, false, false, List.of(), List.of(), List.of()));
        }
        return out;
    }

    public Machine machine() {
        return machine;
    }

    /** Removes every hook (the machine runs at full speed again) and frees the disassembler. */
    @Override
    public void close() {
        closed = true;                // an interrupt still queued, or arriving late, must not stop the run that follows
        interruptRequested = false;
        closeBreakpointHook();
        breakpoints.clear();
        if (stepHook != null) {
            stepHook.close();
            stepHook = null;
        }
        if (disassembler != null) {
            disassembler.close();
            disassembler = null;
        }
    }
}
