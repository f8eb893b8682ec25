package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;

/**
 * The Performance Monitors Extension (PMUv3, Arm ARM D11/D13) of one CPU, on the cycle clock: the
 * cycle counter PMCCNTR and {@value #COUNTERS} event counters, their enables, overflow flags and the
 * overflow interrupt (PPI 7 = INTID 23 on virt). Unicorn's own PMU (QEMU 5.0's: PMCR_EL0.N = 4, so
 * Linux counted 5 counters) does not count Vitrine's cycles; the CPU's MRS/MSR hook sends every PMU
 * register here instead, so counts are deterministic and the guest sees what QEMU 7.2's Cortex-A72
 * reports (PMCR_EL0 0x41023000: six event counters, so Linux says "7 counters available").
 *
 * <h2>Modelled</h2>
 * PMCR_EL0 (E, P and C resets, D divide-by-64, LC long cycle counter; N = 6, IMP 0x41, IDCODE 2),
 * PMCNTENSET/CLR, PMOVSSET/CLR, PMINTENSET/CLR_EL1, PMSWINC, PMSELR with PMXEVTYPER/PMXEVCNTR,
 * PMEVTYPER&lt;n&gt; / PMEVCNTR&lt;n&gt;, PMCCFILTR, PMUSERENR (kept here and by the CPU, which checks
 * EL0 accesses itself), PMCEID0/1. Counted events: CPU_CYCLES (0x11) from the cycle clock, SW_INCR
 * (0x00) by PMSWINC; PMCEID0 advertises exactly those. Overflows are events on the clock: a counter
 * that wraps sets its PMOVS bit at the cycle it wraps, and the interrupt is high while
 * {@code PMCR.E && (PMOVS & PMINTEN)}.
 *
 * <h2>Not modelled</h2>
 * Other events (a counter configured for one counts nothing; reported once as unimplemented) and the
 * exception-level filters of PMEVTYPER / PMCCFILTR (P, U, NSK, NSU, NSH, M, MT: stored, reported when
 * set, not applied — counters count at every level). PMEVCNTR/PMEVTYPER of counters beyond N are not
 * in {@link #keys()}, so the CPU's native filter leaves them to libunicorn; given to {@link #read} or
 * {@link #write} directly they read as zero and ignore writes, reported as guest errors.
 */
public final class PmuV3 implements Snapshottable {
    /** Event counters implemented (PMCR_EL0.N), as QEMU 7.2's Cortex-A72. */
    public static final int COUNTERS = 6;
    /** PMCR_EL0 fields: IMP 0x41 (Arm), IDCODE 0x02, N. */
    static final long PMCR_ID = (0x41L << 24) | (0x02L << 16) | ((long) COUNTERS << 11);
    static final long PMCR_E = 1, PMCR_P = 2, PMCR_C = 4, PMCR_D = 8, PMCR_X = 16, PMCR_DP = 32, PMCR_LC = 64;
    /** The PMCR_EL0 bits the guest writes and reads back. */
    private static final long PMCR_STORED = PMCR_E | PMCR_D | PMCR_X | PMCR_DP | PMCR_LC;
    /** Bit of the cycle counter in the enable, overflow and interrupt-enable registers. */
    static final int CYCLE_BIT = 31;
    private static final long COUNTER_BITS = (1L << COUNTERS) - 1 | (1L << CYCLE_BIT);
    static final int EVENT_SW_INCR = 0x00, EVENT_CPU_CYCLES = 0x11;
    /** PMCEID0_EL0: events 0x00 and 0x11 are counted. */
    static final long PMCEID0 = (1L << EVENT_SW_INCR) | (1L << EVENT_CPU_CYCLES);
    /** PMEVTYPER / PMCCFILTR: the event number and the filter bits P, U, NSK, NSU, NSH, M, MT. */
    private static final long EVTYPER_EVENT = 0xFFFF, FILTER_BITS = 0xFE00_0000L;

    // ---- Encodings, as SysReg keys --------------------------------------------------------------
    static final int PMCR = SysReg.key(3, 3, 9, 12, 0), PMCNTENSET = SysReg.key(3, 3, 9, 12, 1),
            PMCNTENCLR = SysReg.key(3, 3, 9, 12, 2), PMOVSCLR = SysReg.key(3, 3, 9, 12, 3),
            PMSWINC = SysReg.key(3, 3, 9, 12, 4), PMSELR = SysReg.key(3, 3, 9, 12, 5),
            PMCEID0_REG = SysReg.key(3, 3, 9, 12, 6), PMCEID1_REG = SysReg.key(3, 3, 9, 12, 7),
            PMCCNTR = SysReg.key(3, 3, 9, 13, 0), PMXEVTYPER = SysReg.key(3, 3, 9, 13, 1),
            PMXEVCNTR = SysReg.key(3, 3, 9, 13, 2), PMUSERENR = SysReg.key(3, 3, 9, 14, 0),
            PMINTENSET = SysReg.key(3, 0, 9, 14, 1), PMINTENCLR = SysReg.key(3, 0, 9, 14, 2),
            PMOVSSET = SysReg.key(3, 3, 9, 14, 3), PMCCFILTR = SysReg.key(3, 3, 14, 15, 7);

    /** PMEVCNTR&lt;n&gt;_EL0 is (3, 3, 14, 8 + n/8, n%8); PMEVTYPER&lt;n&gt;_EL0 is CRm 12 + n/8. */
    static int pmevcntr(int n) {
        return SysReg.key(3, 3, 14, 8 + (n >> 3), n & 7);
    }

    static int pmevtyper(int n) {
        return SysReg.key(3, 3, 14, 12 + (n >> 3), n & 7);
    }

    /** One counter: its value when it last stopped or was written, and since when it counts. */
    private final class Counter {
        final int bit;
        /** The overflow event's identity on the clock (snapshots re-create it by this name). */
        final String eventId;
        long base;
        /** The cycle it started counting at, or -1 while stopped. */
        long since = -1;
        long typer;
        EventQueue.Event overflow;

        Counter(int bit) {
            this.bit = bit;
            this.eventId = bit == CYCLE_BIT ? "pmu.overflow.cycle" : "pmu.overflow." + bit;
            clock.declare(eventId);
        }

        boolean isCycleCounter() {
            return bit == CYCLE_BIT;
        }

        /** Bits the counter has: the cycle counter 64 (its overflow at 32 or 64 by PMCR.LC), events 32. */
        long mask() {
            return isCycleCounter() ? -1L : 0xFFFF_FFFFL;
        }

        /** Cycles (or cycles / 64 under PMCR.D for the cycle counter) from one absolute cycle count. */
        long ticks(long cycle) {
            return isCycleCounter() && (pmcr & PMCR_D) != 0 ? cycle >>> 6 : cycle;
        }

        long value() {
            return since < 0 ? base : (base + ticks(now()) - ticks(since)) & mask();
        }

        boolean counts() {
            if ((pmcr & PMCR_E) == 0 || (cntenset & (1L << bit)) == 0) return false;
            return isCycleCounter() || (typer & EVTYPER_EVENT) == EVENT_CPU_CYCLES;
        }

        void stop() {
            base = value();
            since = -1;
            if (overflow != null) overflow.cancel();
            overflow = null;
        }

        void start() {
            if (!counts()) return;
            since = now();
            scheduleOverflow();
        }

        /** The wrap point: bit 31 (or 63 with PMCR.LC for the cycle counter) carrying out. */
        void scheduleOverflow() {
            boolean wide = isCycleCounter() && (pmcr & PMCR_LC) != 0;
            long remaining = wide ? -base : (1L << 32) - (base & 0xFFFF_FFFFL);
            if (wide && base == 0) return; // 2^64 ticks away: never, in practice
            long cycles = isCycleCounter() && (pmcr & PMCR_D) != 0 ? multiplyOrNever(remaining, 64) : remaining;
            long at = cycles == Long.MAX_VALUE ? Long.MAX_VALUE : alignedDeadline(cycles);
            if (at == Long.MAX_VALUE || at < 0) return;
            overflow = clock.schedule(at, eventId, this::overflowed);
        }

        /** The first cycle at which {@code ticks} more ticks have passed since {@link #since}. */
        private long alignedDeadline(long more) {
            if (isCycleCounter() && (pmcr & PMCR_D) != 0) return ((ticks(since) + more / 64) << 6);
            return since + more;
        }

        void overflowed() {
            overflow = null;
            base = value();
            since = now();
            ovs |= 1L << bit;
            updateIrq();
            scheduleOverflow();
        }
    }

    private final EventQueue clock;
    private final LongSupplier preciseCycle;
    private final InterruptLine irq;
    private final GuestLog.Source log;
    private final Counter cycles;
    private final Counter[] events = new Counter[COUNTERS];
    private long pmcr, cntenset, intenset, ovs, selr, userenr;
    private boolean irqLevel, reportedEvent, reportedFilter;

    /**
     * @param preciseCycle the current cycle including the part of the running block executed so far
     * @param irq          the overflow interrupt (a PPI)
     */
    public PmuV3(EventQueue clock, LongSupplier preciseCycle, InterruptLine irq, GuestLog log) {
        this.clock = clock;
        this.preciseCycle = preciseCycle;
        this.irq = irq;
        this.log = log.source("pmu");
        this.cycles = new Counter(CYCLE_BIT);
        for (int i = 0; i < COUNTERS; i++) events[i] = new Counter(i);
    }

    private long now() {
        return preciseCycle.getAsLong();
    }

    private static long multiplyOrNever(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The encodings of the registers this PMU implements, for the CPU's native filter (which lets
     * only listed encodings reach Java): the fixed registers, PMCCFILTR, and PMEVCNTR/PMEVTYPER of
     * the {@value #COUNTERS} counters. Accesses to counters beyond N stay with the CPU.
     */
    public static List<Integer> keys() {
        List<Integer> keys = new ArrayList<>(List.of(PMCR, PMCNTENSET, PMCNTENCLR, PMOVSCLR, PMSWINC, PMSELR, PMCEID0_REG,
                PMCEID1_REG, PMCCNTR, PMXEVTYPER, PMXEVCNTR, PMUSERENR, PMINTENSET, PMINTENCLR, PMOVSSET, PMCCFILTR));
        for (int n = 0; n < COUNTERS; n++) {
            keys.add(pmevcntr(n));
            keys.add(pmevtyper(n));
        }
        return keys;
    }

    /** True for the encodings of PMU registers (all PMEVCNTR/PMEVTYPER, implemented or not). */
    public static boolean handles(int key) {
        if ((key & ~7) == PMCR) return true;                                   // PMCR .. PMCEID1 (CRm 12)
        if ((key & ~7) == PMCCNTR) return (key & 7) <= 2;                       // PMCCNTR, PMXEVTYPER, PMXEVCNTR
        if (key == PMUSERENR || key == PMOVSSET || key == PMINTENSET || key == PMINTENCLR) return true;
        return (key & ~0xFF) == SysReg.key(3, 3, 14, 0, 0) && ((key >> 4) & 0xF) >= 8; // PMEV*<n>, PMCCFILTR
    }

    /**
     * Whether EL0 may perform this access under PMUSERENR_EL0 (EN 0: all; SW 1: PMSWINC; CR 2:
     * PMCCNTR reads; ER 3: event counter reads and PMSELR). A denied access is left to the CPU,
     * which traps it to EL1 with the same rules.
     */
    public boolean el0Allowed(int key, boolean write) {
        if (key == PMUSERENR) return !write;
        if (key == PMINTENSET || key == PMINTENCLR) return false;
        if ((userenr & 1) != 0) return true;
        if (key == PMSWINC) return write && (userenr & 2) != 0;
        if (key == PMCCNTR) return !write && (userenr & 4) != 0;
        if (key == PMSELR) return (userenr & 8) != 0;
        if (key == PMXEVCNTR || isEventCounter(key)) return !write && (userenr & 8) != 0;
        return false;
    }

    private static boolean isEventCounter(int key) {
        int crm = (key >> 4) & 0xF;
        return (key & ~0xFF) == SysReg.key(3, 3, 14, 0, 0) && crm >= 8 && crm <= 11;
    }

    public long read(int key) {
        if (key == PMCR) return PMCR_ID | (pmcr & PMCR_STORED);
        if (key == PMCNTENSET || key == PMCNTENCLR) return cntenset;
        if (key == PMOVSSET || key == PMOVSCLR) return ovs;
        if (key == PMINTENSET || key == PMINTENCLR) return intenset;
        if (key == PMSELR) return selr;
        if (key == PMCEID0_REG) return PMCEID0;
        if (key == PMCEID1_REG) return 0;
        if (key == PMUSERENR) return userenr;
        if (key == PMCCNTR) return cycles.value();
        if (key == PMCCFILTR) return cycles.typer;
        if (key == PMSWINC) return 0; // write-only: the CPU would have trapped a read; keep the guest going
        if (key == PMXEVCNTR) return selr == CYCLE_BIT ? 0 : counter((int) selr, "PMXEVCNTR") == null ? 0 : events[(int) selr].value();
        if (key == PMXEVTYPER) {
            if (selr == CYCLE_BIT) return cycles.typer;
            Counter c = counter((int) selr, "PMXEVTYPER");
            return c == null ? 0 : c.typer;
        }
        int n = indexOf(key);
        Counter c = counter(n, isEventCounter(key) ? "PMEVCNTR" : "PMEVTYPER");
        if (c == null) return 0;
        return isEventCounter(key) ? c.value() : c.typer;
    }

    public void write(int key, long value) {
        if (key == PMCR) {
            writePmcr(value);
        } else if (key == PMCNTENSET || key == PMCNTENCLR) {
            long bits = value & COUNTER_BITS;
            reconfigure(() -> cntenset = key == PMCNTENSET ? cntenset | bits : cntenset & ~bits);
        } else if (key == PMOVSSET || key == PMOVSCLR) {
            long bits = value & COUNTER_BITS;
            ovs = key == PMOVSSET ? ovs | bits : ovs & ~bits;
            updateIrq();
        } else if (key == PMINTENSET || key == PMINTENCLR) {
            long bits = value & COUNTER_BITS;
            intenset = key == PMINTENSET ? intenset | bits : intenset & ~bits;
            updateIrq();
        } else if (key == PMSELR) {
            selr = value & 0x1F;
        } else if (key == PMUSERENR) {
            userenr = value & 0xF;
        } else if (key == PMSWINC) {
            softwareIncrement(value);
        } else if (key == PMCCNTR) {
            setValue(cycles, value);
        } else if (key == PMCCFILTR) {
            setTyper(cycles, value);
        } else if (key == PMXEVCNTR || key == PMXEVTYPER) {
            if (selr == CYCLE_BIT) {
                if (key == PMXEVTYPER) setTyper(cycles, value);
                return; // PMXEVCNTR with SEL = 31 is reserved: ignored, as QEMU does
            }
            Counter c = counter((int) selr, key == PMXEVCNTR ? "PMXEVCNTR" : "PMXEVTYPER");
            if (c != null && key == PMXEVCNTR) setValue(c, value);
            else if (c != null) setTyper(c, value);
        } else if (key == PMCEID0_REG || key == PMCEID1_REG) {
            log.guestError("write of 0x%x to read-only PMCEID%d_EL0 ignored", value, key == PMCEID0_REG ? 0 : 1);
        } else {
            int n = indexOf(key);
            Counter c = counter(n, isEventCounter(key) ? "PMEVCNTR" : "PMEVTYPER");
            if (c == null) return;
            if (isEventCounter(key)) setValue(c, value);
            else setTyper(c, value);
        }
    }

    private static int indexOf(int key) {
        return (((key >> 4) & 0xF) & 3) * 8 + (key & 7);
    }

    /** Event counter {@code n}, or null (reported) when the PMU does not implement it. */
    private Counter counter(int n, String what) {
        if (n >= 0 && n < COUNTERS) return events[n];
        log.guestError("%s for counter %d, but PMCR_EL0.N is %d: reads as zero, writes ignored", what, n, COUNTERS);
        return null;
    }

    private void writePmcr(long value) {
        reconfigure(() -> {
            pmcr = value & PMCR_STORED;
            if ((value & PMCR_C) != 0) cycles.base = 0;
            if ((value & PMCR_P) != 0) for (Counter c : events) c.base = 0;
        });
        updateIrq();
    }

    private void setValue(Counter c, long value) {
        reconfigure(() -> c.base = value & c.mask());
    }

    private void setTyper(Counter c, long value) {
        long v = value & (EVTYPER_EVENT | FILTER_BITS);
        if ((v & FILTER_BITS) != 0 && !reportedFilter) {
            reportedFilter = true;
            log.unimplemented("PMU event filtering by exception level (type 0x%x): counters count at every level", v);
        }
        long event = v & EVTYPER_EVENT;
        if (!c.isCycleCounter() && event != EVENT_CPU_CYCLES && event != EVENT_SW_INCR && !reportedEvent) {
            reportedEvent = true;
            log.unimplemented("PMU event 0x%x (only CPU_CYCLES and SW_INCR are counted): the counter stays put", event);
        }
        reconfigure(() -> c.typer = c.isCycleCounter() ? v & FILTER_BITS : v);
    }

    private void softwareIncrement(long bits) {
        if ((pmcr & PMCR_E) == 0) return;
        for (Counter c : events) {
            if ((bits & (1L << c.bit)) == 0 || (cntenset & (1L << c.bit)) == 0 || (c.typer & EVTYPER_EVENT) != EVENT_SW_INCR) continue;
            c.base = (c.base + 1) & c.mask();
            if (c.base == 0) {
                ovs |= 1L << c.bit;
                updateIrq();
            }
        }
    }

    /** Stops every counter at its current value, applies a change, and starts those that count now. */
    private void reconfigure(Runnable change) {
        cycles.stop();
        for (Counter c : events) c.stop();
        change.run();
        cycles.start();
        for (Counter c : events) c.start();
    }

    private void updateIrq() {
        boolean level = (pmcr & PMCR_E) != 0 && (ovs & intenset) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    /** The overflow interrupt's level (for tests and the debugger). */
    public boolean irqLevel() {
        return irqLevel;
    }

    // ---- snapshot ------------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return "pmu";
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: PMCR, PMCNTENSET, PMINTENSET, PMOVS, PMSELR, PMUSERENR, the irq level; per counter base, since, type. */
    @Override
    public void save(StateWriter out) {
        out.i64(pmcr).i64(cntenset).i64(intenset).i64(ovs).i64(selr).i64(userenr).bool(irqLevel);
        for (Counter c : all()) out.i64(c.base).i64(c.since).i64(c.typer);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long savedPmcr = in.i64("PMCR", 0, PMCR_STORED), en = in.i64("PMCNTENSET", 0, COUNTER_BITS),
                inten = in.i64("PMINTENSET", 0, COUNTER_BITS), savedOvs = in.i64("PMOVS", 0, COUNTER_BITS),
                sel = in.i64("PMSELR", 0, 0x1F), user = in.i64("PMUSERENR", 0, 0xF);
        boolean level = in.bool();
        Counter[] counters = all();
        long[][] c = new long[counters.length][];
        for (int i = 0; i < counters.length; i++) c[i] = new long[] {in.i64(), in.i64("a counter's start", -1, Long.MAX_VALUE), in.i64()};
        return () -> {
            pmcr = savedPmcr;
            cntenset = en;
            intenset = inten;
            ovs = savedOvs;
            selr = sel;
            userenr = user;
            irqLevel = level; // the interrupt controller restores its own copy of the wire
            for (int i = 0; i < counters.length; i++) {
                Counter k = counters[i];
                if (k.overflow != null) k.overflow.cancel();
                k.base = c[i][0];
                k.since = c[i][1];
                k.typer = c[i][2];
                k.overflow = clock.reclaim(k.eventId, k::overflowed);
            }
        };
    }

    private Counter[] all() {
        Counter[] out = java.util.Arrays.copyOf(events, COUNTERS + 1);
        out[COUNTERS] = cycles;
        return out;
    }

    @Override
    public String toString() {
        return String.format("PMCR=0x%x PMCCNTR=%d PMCNTEN=0x%x PMOVS=0x%x PMINTEN=0x%x", read(PMCR), cycles.value(), cntenset, ovs, intenset);
    }
}
