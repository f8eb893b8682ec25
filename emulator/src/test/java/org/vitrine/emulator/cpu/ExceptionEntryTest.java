package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.testutil.GuestAsm;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs one real guest program through every kind of synchronous exception and IRQ, from EL1 and
 * EL0, and checks the ESR / FAR / ELR / SPSR / vector the guest's handler saw against the values
 * the Arm architecture defines. Then WFI idle skip and the virtual timer.
 */
class ExceptionEntryTest {
    static final long RAM = 0x4000_0000L;
    static final long TABLES = 0x4001_0000L;
    static final long DEV = 0x0a00_0000L;
    static final long RO_VA = 0x4040_0000L, UNMAPPED_VA = 0x4060_0000L;
    static final long IRQ_DELAY = 5_000, WFI_DELAY = 10_000_000;
    static final long TIMER_TICKS = 6_250; // 100 us at 62.5 MHz

    static final String SOURCE = GuestAsm.MMU_ON_MACRO + """
            .equ DEV, 0x0a000000
            .equ RO_VA, 0x40400000
            .equ UNMAPPED_VA, 0x40600000
            .text
            .global _start
            _start:
                ldr x0, =vectors
                msr vbar_el1, x0
                ldr x0, =stack_top
                mov sp, x0
                mmu_on
            t_svc:
                svc #0x42
            t_read:
                adr x20, 1f
                ldr x0, =UNMAPPED_VA
                ldr x1, [x0]
            1:
            t_write:
                adr x20, 1f
                ldr x0, =RO_VA
                str x1, [x0]
            1:
            t_fetch:
                adr x20, 1f
                ldr x0, =UNMAPPED_VA
                blr x0
            1:
            t_udf:
                adr x20, 1f
                .word 0x00000000
            1:
            t_brk:
                adr x20, 1f
                brk #7
            1:
                // to EL0 with interrupts unmasked
                adr x21, back_in_el1
                ldr x0, =el0_code
                msr elr_el1, x0
                msr spsr_el1, xzr
                ldr x0, =el0_stack_top
                msr sp_el0, x0
                eret
            back_in_el1:
                msr daifclr, #2
                ldr x0, =DEV
                mov x1, #5000
                str w1, [x0, #4]
            t_irq_el1:
                ldr x2, =100000
            2:  subs x2, x2, #1
                b.ne 2b
                // WFI idle skip: an interrupt 10M cycles from now, nothing else to do
                msr daifset, #2
                ldr x0, =DEV
                ldr x1, =10000000
                str w1, [x0, #4]
                mrs x22, cntvct_el0
                msr daifclr, #2
            t_wfi:
                wfi
                mrs x23, cntvct_el0
                ldr x0, =results_extra
                str x22, [x0]
                str x23, [x0, #8]
                // virtual timer: 6250 ticks from now
                msr daifset, #2
                mov x0, #6250
                msr cntv_tval_el0, x0
                mrs x24, cntv_cval_el0
                mov x0, #1
                msr cntv_ctl_el0, x0
                msr daifclr, #2
            t_timer:
                wfi
                mrs x25, cntvct_el0
                ldr x0, =results_extra
                str x24, [x0, #16]
                str x25, [x0, #24]
                ldr x0, =0x84000008
                mov x1, #0
                hvc #0
            hang:
                b hang

            common:
                ldr x10, =results
                ldr x11, [x10]
                add x12, x10, #8
                mov x13, #40
                madd x12, x11, x13, x12
                str x9, [x12]
                mrs x13, esr_el1
                str x13, [x12, #8]
                mrs x13, far_el1
                str x13, [x12, #16]
                mrs x13, elr_el1
                str x13, [x12, #24]
                mrs x13, spsr_el1
                str x13, [x12, #32]
                add x11, x11, #1
                str x11, [x10]
                and x13, x9, #0x180
                cmp x13, #0x80
                b.eq 3f
                mrs x13, esr_el1
                lsr x14, x13, #26
                cmp x14, #0x15
                b.ne 4f
                and x14, x13, #0xffff
                cmp x14, #0x99
                b.ne 5f
                msr elr_el1, x21         // svc #0x99: return to EL1h
                mov x14, #0x3c5
                msr spsr_el1, x14
            5:  eret
            4:  msr elr_el1, x20         // fault: resume after the faulting instruction
                eret
            3:  ldr x13, =DEV            // IRQ: acknowledge the test device, stop the timer
                str wzr, [x13]
                msr cntv_ctl_el0, xzr
                eret

                .balign 2048
            vectors:
                .irp off, 0x000,0x080,0x100,0x180,0x200,0x280,0x300,0x380,0x400,0x480,0x500,0x580,0x600,0x680,0x700,0x780
                .balign 128
                mov x9, #\\off
                b common
                .endr
                .ltorg

                .data
                .balign 16
            results:
                .space 8 + 40 * 32
            results_extra:
                .space 64
                .space 4096
            stack_top:

                .section .el0, "ax"
            el0_code:
            e_svc:
                svc #7
            e_read:
                adr x20, 1f
                ldr x0, =0x40000000
                ldr x1, [x0]
            1:
            e_write:
                adr x20, 1f
                ldr x0, =UNMAPPED_VA
                str x1, [x0]
            1:
                ldr x0, =DEV
                mov x1, #5000
                str w1, [x0, #4]
            e_irq:
                ldr x2, =100000
            2:  subs x2, x2, #1
                b.ne 2b
            e_cnt:
                adr x20, 1f
                mrs x0, cntvct_el0       // CNTKCTL_EL1.EL0VCTEN is 0: traps to EL1
            1:
                svc #0x99
                .ltorg
                .balign 4096
                .space 4096
            el0_stack_top:
            """;

    /** A test interrupt source: writing N at +4 raises the line N cycles later; writing +0 lowers it. */
    static final class TestIrqDevice implements MmioDevice {
        final Machine m;
        InterruptLine out;
        boolean level;

        TestIrqDevice(Machine m) {
            this.m = m;
        }

        @Override public String name() { return "test-irq"; }
        @Override public long size() { return 0x1000; }
        @Override public long read(long offset, int size) { return level ? 1 : 0; }

        @Override
        public void write(long offset, int size, long value) {
            // 8-byte guest stores arrive as two 4-byte calls: only the low word at +4 counts
            if (offset == 0) set(false);
            else if (offset == 4) m.clock().scheduleIn(value, () -> set(true));
        }

        void set(boolean l) {
            level = l;
            out.set(l);
        }
    }

    static GuestAsm.Program prog;
    static Machine machine;
    static Cpu.Exit exit;
    static final List<long[]> records = new ArrayList<>();
    static long[] extra = new long[4];
    static final List<String> trace = new ArrayList<>();

    /** The same program without the exception trace: SVCs entered natively (NativeSvcEntry). */
    static Machine untraced;
    static Cpu.Exit untracedExit;
    static final List<long[]> untracedRecords = new ArrayList<>();

    @BeforeAll
    static void runProgram() throws Exception {
        prog = GuestAsm.assemble(SOURCE, 0x4008_0000L, "--section-start=.el0=0x40200000", "-Tdata=0x40100000");
        machine = boot(true);
        exit = machine.run(2_000_000_000L);
        read(machine.ram(), records);
        long ex = prog.symbol("results_extra");
        for (int j = 0; j < 4; j++) extra[j] = machine.ram().read64(ex + j * 8L);
        trace.forEach(System.out::println);
        for (long[] r : records) System.out.printf("record vector=0x%x esr=0x%x far=0x%x elr=0x%x spsr=0x%x%n", r[0], r[1], r[2], r[3], r[4]);
        System.out.println("exit: " + exit + " extra " + java.util.Arrays.toString(extra));
        untraced = boot(false);
        untracedExit = untraced.run(2_000_000_000L);
        read(untraced.ram(), untracedRecords);
    }

    /** A machine with the program loaded and reset; {@code traced}: with the exception trace (every exception entered from Java). */
    static Machine boot(boolean traced) throws Exception {
        Machine machine = new Machine(RAM, 16 << 20, TimingModel.fixedCpi(1_000_000_000L, 1), Unicorn.CpuModel.A72);
        PhysicalMemory ram = machine.ram();
        ram.write(prog.base(), prog.image(), 0, prog.image().length);
        buildPageTables(ram);
        Cpu cpu = machine.cpu();
        TestIrqDevice dev = new TestIrqDevice(machine);
        boolean[] lines = new boolean[2];
        InterruptLine irq = cpu.irqInput();
        dev.out = l -> { lines[0] = l; irq.set(lines[0] || lines[1]); };
        cpu.attachTimer(InterruptLine.UNCONNECTED, l -> { lines[1] = l; irq.set(lines[0] || lines[1]); });
        machine.map(DEV, dev);
        if (traced) cpu.traceExceptions(trace::add);
        machine.reset(prog.symbol("_start"), 0);
        return machine;
    }

    /** The handler's records: vector offset, ESR, FAR, ELR, SPSR per exception. */
    static void read(PhysicalMemory ram, List<long[]> into) throws Exception {
        long results = prog.symbol("results");
        long n = ram.read64(results);
        for (int i = 0; i < n; i++) {
            long[] r = new long[5];
            for (int j = 0; j < 5; j++) r[j] = ram.read64(results + 8 + i * 40L + j * 8L);
            into.add(r);
        }
    }

    @AfterAll
    static void close() {
        if (machine != null) machine.close();
        if (untraced != null) untraced.close();
    }

    /** 39-bit VA, 4 KiB granule: L1[0] = devices (EL0 RW), L1[1] -> L2 with 2 MiB blocks. */
    static void buildPageTables(PhysicalMemory ram) throws Exception {
        long af = 1L << 10, sh = 3L << 8, uxn = 1L << 54, pxn = 1L << 53;
        long device = 0 << 2, normal = 1 << 2;
        long apEl1Rw = 0, apRw = 1L << 6, apEl1Ro = 2L << 6;
        ram.write64(TABLES, 0x0000_0000L | 1 | device | apRw | af | uxn | pxn);
        ram.write64(TABLES + 8, (TABLES + 0x1000) | 3);
        long l2 = TABLES + 0x1000;
        ram.write64(l2, 0x4000_0000L | 1 | normal | apEl1Rw | af | sh | uxn);          // kernel: EL1 only
        ram.write64(l2 + 8, 0x4020_0000L | 1 | normal | apRw | af | sh | pxn);          // EL0 code + data
        ram.write64(l2 + 16, 0x4040_0000L | 1 | normal | apEl1Ro | af | sh | uxn | pxn); // read-only
        // l2[3] (0x4060_0000) stays invalid: translation faults
    }

    long[] record(int i) {
        assertTrue(records.size() > i, "only " + records.size() + " exceptions recorded; exit " + exit);
        return records.get(i);
    }

    void assertRecord(int i, long vector, long esr, long elr) {
        long[] r = record(i);
        assertEquals(vector, r[0], "vector offset of exception " + i);
        assertEquals(esr, r[1], String.format("ESR of exception %d: 0x%x", i, r[1]));
        assertEquals(elr, r[3], String.format("ELR of exception %d: 0x%x", i, r[3]));
    }

    @Test
    void guestPowersOffWithStatusZero() {
        assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
        assertEquals(0, exit.status());
        assertEquals(15, records.size(), "exceptions recorded");
    }

    /** Synchronous exceptions are entered from the interrupt hook and the run goes on into the vector. */
    @Test
    void exceptionsDoNotEndTheRun() {
        RunStatistics stats = machine.cpu().statistics();
        assertTrue(machine.cpu().exceptionsTaken() >= 11, "exceptions taken: " + machine.cpu().exceptionsTaken());
        assertEquals(0, stats.stops(RunStatistics.Stop.EXCEPTION), stats.toString());
    }

    /**
     * Without the trace, SVCs are entered natively: the guest must see exactly what the Java entry
     * gave it (every register the handler recorded, SVCs from EL1 and EL0 with their immediates),
     * the same instruction, cycle and exception counts, and the same exit.
     */
    @Test
    void nativeSvcEntryIsTheJavaEntry() {
        Cpu traced = machine.cpu(), fast = untraced.cpu();
        assertTrue(fast.svcsEnteredNatively() >= 2, "SVCs entered natively: " + fast.svcsEnteredNatively());
        assertEquals(0, traced.svcsEnteredNatively(), "the trace needs every exception in Java");
        assertEquals(exit, untracedExit);
        assertEquals(records.size(), untracedRecords.size(), "exceptions recorded");
        for (int i = 0; i < records.size(); i++) {
            assertEquals(java.util.Arrays.toString(records.get(i)), java.util.Arrays.toString(untracedRecords.get(i)), "record " + i);
        }
        assertEquals(traced.exceptionsTaken(), fast.exceptionsTaken());
        assertEquals(traced.instructionsRetired(), fast.instructionsRetired());
        assertEquals(traced.cycles(), fast.cycles());
    }

    @Test
    void svcFromEl1() {
        assertRecord(0, 0x200, 0x5600_0042L, prog.symbol("t_svc") + 4);
        assertEquals(0x3c5, record(0)[4] & 0x3ff, "SPSR: EL1h with DAIF masked");
    }

    @Test
    void dataAbortTranslationFaultReadFromEl1() {
        long ldr = prog.symbol("t_read") + 8;
        assertRecord(1, 0x200, 0x9600_0006L, ldr);            // EC 0x25, IL, DFSC level-2 translation
        assertEquals(UNMAPPED_VA, record(1)[2], "FAR");
    }

    @Test
    void dataAbortPermissionFaultWriteFromEl1() {
        long str = prog.symbol("t_write") + 8;
        assertRecord(2, 0x200, 0x9600_004eL, str);            // WnR, level-2 permission
        assertEquals(RO_VA, record(2)[2], "FAR");
    }

    @Test
    void prefetchAbortFromEl1() {
        assertRecord(3, 0x200, 0x8600_0006L, UNMAPPED_VA);    // EC 0x21, IFSC level-2 translation
        assertEquals(UNMAPPED_VA, record(3)[2], "FAR");
    }

    @Test
    void undefinedInstruction() {
        assertRecord(4, 0x200, 0x0200_0000L, prog.symbol("t_udf") + 4);
    }

    @Test
    void brk() {
        assertRecord(5, 0x200, 0xf200_0007L, prog.symbol("t_brk") + 4);
    }

    @Test
    void svcFromEl0() {
        assertRecord(6, 0x400, 0x5600_0007L, prog.symbol("e_svc") + 4);
        assertEquals(0, record(6)[4] & 0x3ff, "SPSR: EL0t, interrupts unmasked");
    }

    @Test
    void dataAbortPermissionFaultReadFromEl0() {
        assertRecord(7, 0x400, 0x9200_000eL, prog.symbol("e_read") + 8); // EC 0x24, level-2 permission
        assertEquals(0x4000_0000L, record(7)[2], "FAR");
    }

    @Test
    void dataAbortTranslationFaultWriteFromEl0() {
        assertRecord(8, 0x400, 0x9200_0046L, prog.symbol("e_write") + 8);
        assertEquals(UNMAPPED_VA, record(8)[2], "FAR");
    }

    @Test
    void irqTakenAtEl0() {
        long[] r = record(9);
        assertEquals(0x480, r[0], "IRQ from lower EL vector");
        assertEquals(0, r[4] & 0x3cf, "SPSR: EL0t with IRQs unmasked");
        long loopStart = prog.symbol("e_irq");
        assertTrue(r[3] >= loopStart && r[3] < loopStart + 16, String.format("ELR 0x%x inside the spin loop", r[3]));
    }

    @Test
    void counterAccessFromEl0TrapsWhenCntkctlForbidsIt() {
        // EC 0x18 (MSR/MRS trap), IL, ISS: op0 3, op2 2, op1 3, CRn 14, Rt 0, CRm 0, read
        assertRecord(10, 0x400, 0x6234_f801L, prog.symbol("e_cnt") + 4);
    }

    @Test
    void returnToEl1BySvc() {
        assertRecord(11, 0x400, 0x5600_0099L, prog.symbol("e_cnt") + 12);
    }

    @Test
    void irqTakenAtEl1() {
        long[] r = record(12);
        assertEquals(0x280, r[0], "IRQ from current EL with SP_ELx");
        assertEquals(0x345, r[4] & 0x3cf, "SPSR: EL1h, D A F masked, I clear");
    }

    @Test
    void wfiSkipsIdleTimeToTheNextEvent() {
        long[] r = record(13);
        assertEquals(0x280, r[0]);
        assertEquals(prog.symbol("t_wfi") + 4, r[3], "IRQ taken right after the WFI");
        long ticks = extra[1] - extra[0];
        long expected = WFI_DELAY / 16; // 1 GHz cycles to 62.5 MHz ticks
        assertTrue(ticks >= expected && ticks < expected + 100, "counter advanced by " + ticks + " ticks across WFI");
        assertTrue(machine.cpu().instructionsRetired() < 2_000_000, "idle time was skipped, not executed: "
                + machine.cpu().instructionsRetired() + " instructions");
    }

    @Test
    void virtualTimerFiresAtItsDeadline() {
        long[] r = record(14);
        assertEquals(0x280, r[0]);
        assertEquals(prog.symbol("t_timer") + 4, r[3]);
        long cval = extra[2], after = extra[3];
        assertTrue(after >= cval, "interrupt not before CVAL");
        assertTrue(after - cval < 10, "interrupt within a few ticks of CVAL: " + (after - cval));
    }
}
