package org.vitrine.emulator.debug;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.vitrine.emulator.capstone.Disassembler;
import org.vitrine.emulator.capstone.Instruction;
import org.vitrine.emulator.cpu.ContextObserver;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.Pstate;
import org.vitrine.emulator.cpu.SysReg;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.profile.RostSyscalls;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * {@code --trace}: a line for each event of the kinds asked for, each with rost's pid and program
 * (the ASID of TTBR0_EL1 minus one; the program as {@link Symbols#programOf} finds it) and code
 * addresses named by the kernel's symbols or the running program's:
 * <pre>
 * [trace] pid 3 hello: 0x400124 &lt;hello:main+0x24&gt; svc #0 (cycle 1203344)                     instructions
 * [trace] pid 3 hello: syscall print_debug(0x400e10, 0xe, 0x0, 0x0) at &lt;hello:...&gt; (cycle ...)   syscalls
 * [trace] pid 3 pingpong: ipc send to pid 4 (pingpong) kind 2, 8 bytes (cycle ...)                  ipc
 * [trace] pid 4 pingpong: ipc receive from pid 3 (pingpong) kind 2, 8 bytes (cycle ...)             ipc
 * [trace] pid 3 hello: exception SVC from EL0: ESR=0x56000000 ELR=0x400128 &lt;hello:...&gt; ... (cycle ...)  exceptions
 * </pre>
 * Exceptions are the CPU's own exception-entry trace ({@link Cpu#traceExceptions}: class, ESR,
 * ELR, FAR, SPSR, the vector, and for an external abort the physical address that failed), named
 * here. System calls and messages come from the CPU's context observer ({@link ContextObserver}:
 * the exception hook the run loop has anyway, and the kernel restoring SPSR_EL1 on its way back
 * to a process, where a received message is in the receiver's buffer); instructions from a
 * per-instruction hook. None of these change what the guest does or when: a traced run takes as
 * many cycles as an untraced one (tests/TraceTest). An observer already installed (a profiler)
 * keeps being told.
 *
 * <p>rost's ABI: the system call number in x8, arguments in x0..x3; {@code send_message(pid,
 * &amp;Message)}, {@code recv_message(&amp;mut Message, timeout)}, a {@code Message} starting with
 * the sender's pid (u64), its kind (u32) and its length (u32).
 */
public final class Tracer implements ContextObserver, AutoCloseable {
    /** What can be traced. */
    public enum Kind { INSTRUCTIONS, SYSCALLS, IPC, EXCEPTIONS }

    private static final int EXCP_SWI = 2, EC_SVC64 = 0x15;
    private static final long ASID_MASK = 0xffffL << 48;

    private final Cpu cpu;
    private final Unicorn uc;
    private final VirtualMemory memory;
    private final Symbols symbols;
    private final Set<Kind> kinds;
    private final PrintStream out;
    private final ContextObserver previous;
    private final Unicorn.CodeStub stub;
    private Cpu.InstructionHook instructionHook;
    private Disassembler disassembler;
    private final Map<Long, Decoded> decoded = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    /** Receive buffers of processes waiting in recv_message, by pid. */
    private final Map<Long, Long> receiving = new HashMap<>();
    private boolean muted;
    private long lastPc = 1, lastRetired = -1;

    private record Decoded(int word, String text) { }

    /** Starts tracing {@code kinds} of {@code machine} (between runs) to {@code out}. */
    public Tracer(Machine machine, Symbols symbols, Set<Kind> kinds, PrintStream out) {
        this.cpu = machine.cpu();
        this.uc = machine.unicorn();
        this.memory = new VirtualMemory(cpu, machine.ram());
        this.symbols = symbols;
        this.kinds = kinds.isEmpty() ? Set.of() : EnumSet.copyOf(kinds);
        this.out = out;
        this.previous = cpu.contextObserver();
        this.stub = uc.codeStub(this::onInstruction);
        if (this.kinds.contains(Kind.EXCEPTIONS)) {
            cpu.setSymbolizer(va -> Optional.of(describe(va)).filter(n -> !n.startsWith("0x")));
            cpu.traceExceptions(this::onException);
        }
        if (this.kinds.contains(Kind.SYSCALLS) || this.kinds.contains(Kind.IPC)) cpu.observeContexts(this);
        if (this.kinds.contains(Kind.INSTRUCTIONS)) instructionHook = cpu.hookInstructions(stub, 1, 0);
    }

    /**
     * While on, nothing is written: a debugger replaying a stretch of the run the trace has shown
     * already (its rewinding) would show it twice.
     */
    public void mute(boolean on) {
        muted = on;
    }

    // ---- the events --------------------------------------------------------------------------------

    private void onInstruction(long address, int size) {
        long retired = cpu.retiredBefore(address);
        if (address == lastPc && retired == lastRetired) return;   // the hook runs again for an instruction a stop came before
        lastPc = address;
        lastRetired = retired;
        if (muted) return;
        line(String.format("0x%x <%s> %s (cycle %d)", address, describe(address), text(address), cpu.cycleBefore(address)));
    }

    /** The CPU's exception-entry line, "[trace] exception ... (cycle N)", with the pid and program. */
    private void onException(String cpuLine) {
        if (muted) return;
        line(cpuLine.startsWith("[trace] ") ? cpuLine.substring("[trace] ".length()) : cpuLine);
    }

    @Override
    public void exceptionTaken(int intno) {
        if (previous != null) previous.exceptionTaken(intno);
        if (muted || intno != EXCP_SWI || (SysReg.ESR_EL1.read(uc) >>> 26) != EC_SVC64
                || Pstate.exceptionLevel(SysReg.SPSR_EL1.read(uc)) != 0) return;
        long number = uc.reg(Arm64Reg.x(8));
        long x0 = uc.reg(Arm64Reg.x(0)), x1 = uc.reg(Arm64Reg.x(1));
        long cycle = cpu.cyclesNow();
        if (kinds.contains(Kind.SYSCALLS)) {
            long at = SysReg.ELR_EL1.read(uc) - 4;
            line(String.format("syscall %s(0x%x, 0x%x, 0x%x, 0x%x) at <%s> (cycle %d)", RostSyscalls.name(number), x0, x1,
                    uc.reg(Arm64Reg.x(2)), uc.reg(Arm64Reg.x(3)), describe(at), cycle));
        }
        if (!kinds.contains(Kind.IPC)) return;
        if (number == RostSyscalls.SEND_MESSAGE) {
            Header h = header(x1);
            line(String.format("ipc send to pid %d kind %s (cycle %d)", x0, h == null ? "? (message unreadable)" : h.kind + ", " + h.length + " bytes",
                    cycle));
        } else if (number == RostSyscalls.RECV_MESSAGE) {
            receiving.put(currentPid(), x0);
        }
    }

    @Override
    public void stateSaved() {
        if (previous != null) previous.stateSaved();
    }

    @Override
    public void stateRestored(long spsr) {
        if (previous != null) previous.stateRestored(spsr);
        if (muted || Pstate.exceptionLevel(spsr) != 0 || receiving.isEmpty()) return;
        Long buffer = receiving.remove(currentPid());
        if (buffer == null) return;
        Header h = header(buffer);
        // a failed or timed-out receive leaves the buffer as librost made it: sender 0, kind 0, empty
        if (h == null || h.sender == 0 && h.kind == 0 && h.length == 0) {
            line(String.format("ipc receive: nothing (timed out or failed) (cycle %d)", cpu.cyclesNow()));
        } else {
            line(String.format("ipc receive from pid %d kind %d, %d bytes (cycle %d)", h.sender, h.kind, h.length, cpu.cyclesNow()));
        }
    }

    private record Header(long sender, long kind, long length) { }

    /** The sender, kind and length at the start of a rost Message at {@code va}, or null when unreadable. */
    private Header header(long va) {
        byte[] b = memory.read(va, 16);
        if (b.length < 16) return null;
        return new Header(le(b, 0, 8), le(b, 8, 4), le(b, 12, 4));
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (b[at + i] & 0xff);
        return v;
    }

    // ---- naming --------------------------------------------------------------------------------------

    private long currentPid() {
        return RostAddressSpace.pidOf(SysReg.TTBR0_EL1.read(uc));
    }

    private String programName() {
        long ttbr0 = SysReg.TTBR0_EL1.read(uc);
        if (RostAddressSpace.asid(ttbr0) == 0) return "kernel";
        return symbols.programOf(ttbr0, memory::read).map(Symbols.Program::name).orElse("?");
    }

    /** {@code symbol+0x..} in the kernel or the running program, else the address (cached: demangling is slow). */
    private String describe(long va) {
        boolean kernel = symbols.inKernel(va) || Long.compareUnsigned(va, RostAddressSpace.USER_TOP) >= 0;
        long ttbr0 = kernel ? 0 : SysReg.TTBR0_EL1.read(uc);
        long key = kernel ? va : va | (ttbr0 & ASID_MASK);   // user addresses are below 2^48, where the ASID does not reach
        String d = names.get(key);
        if (d == null) {
            d = symbols.describe(va, kernel ? Optional.empty() : symbols.programOf(ttbr0, memory::read));
            if (names.size() > 1 << 16) names.clear();
            names.put(key, d);
        }
        return d;
    }

    private String text(long address) {
        byte[] b = memory.read(address, 4);
        if (b.length < 4) return "(not mapped)";
        int word = (int) le(b, 0, 4);
        Decoded d = decoded.get(address);
        if (d == null || d.word != word) {
            if (disassembler == null) disassembler = Disassembler.open();
            Instruction insn = disassembler.decodeOne(word, address);
            d = new Decoded(word, insn != null ? insn.text() : String.format(".inst 0x%08x", word));
            if (decoded.size() > 1 << 16) decoded.clear();
            decoded.put(address, d);
        }
        return d.text;
    }

    private void line(String event) {
        out.append("[trace] pid ").append(Long.toString(currentPid())).append(' ').append(programName()).append(": ").append(event).append('\n');
    }

    /** Stops tracing: hooks removed, the observer before this one put back, the output flushed. */
    @Override
    public void close() {
        if (instructionHook != null) {
            instructionHook.close();
            instructionHook = null;
        }
        if (kinds.contains(Kind.EXCEPTIONS)) cpu.traceExceptions(null);
        if ((kinds.contains(Kind.SYSCALLS) || kinds.contains(Kind.IPC)) && cpu.contextObserver() == this) cpu.observeContexts(previous);
        if (disassembler != null) {
            disassembler.close();
            disassembler = null;
        }
        out.flush();
    }
}
