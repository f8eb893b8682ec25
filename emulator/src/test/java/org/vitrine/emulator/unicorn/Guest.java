package org.vitrine.emulator.unicorn;

import org.vitrine.emulator.testutil.GuestAsm;

/**
 * Shared set-up of the binding tests: an engine with 64 KiB of RAM at {@link #RAM} and small
 * guest programs assembled with the real GNU assembler. A program ends at the label {@code done},
 * which the tests pass to {@link Unicorn#start} as {@code until}.
 */
final class Guest {
    static final long RAM = 0x4000_0000L;
    static final long RAM_SIZE = 0x1_0000L;
    /** An address no instruction can be at (unaligned): "no until address". */
    static final long NEVER = 1;

    private Guest() { }

    /** Opens an engine of the default model used by Vitrine with RAM mapped by libunicorn. */
    static Unicorn open() {
        Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72);
        uc.map(RAM, RAM_SIZE, Unicorn.PROT_ALL);
        return uc;
    }

    /** Assembles {@code body} at {@link #RAM}; it should define the label {@code done}. */
    static GuestAsm.Program asm(String body) {
        return GuestAsm.assemble(".text\n.global _start\n_start:\n" + body + "\n", RAM);
    }

    static GuestAsm.Program load(Unicorn uc, String body) {
        GuestAsm.Program p = asm(body);
        uc.write(p.base(), p.image());
        return p;
    }

    /** Runs from the start of {@code p} to its {@code done} label and checks the run ended cleanly. */
    static void runToDone(Unicorn uc, GuestAsm.Program p) {
        int err = uc.start(p.base(), p.symbol("done"), 0, 0);
        if (err != 0) throw new AssertionError("uc_emu_start returned " + err + " (" + Unicorn.strerror(err) + ")");
        long pc = uc.reg(Arm64Reg.PC);
        if (pc != p.symbol("done")) throw new AssertionError(String.format("stopped at 0x%x, not at done", pc));
    }
}
