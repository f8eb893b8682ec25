package org.vitrine.emulator.cpu;

import java.util.function.LongSupplier;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;
import org.vitrine.emulator.time.Ratio;

/**
 * The Arm generic timer of one CPU, on virtual time: the system counter (CNTPCT / CNTVCT, with
 * CNTVOFF = 0 as there is no EL2 for the guest), the EL1 physical timer (CNTP_*, PPI 14 = INTID 30)
 * and the virtual timer (CNTV_*, PPI 11 = INTID 27). The counter runs at {@link #FREQUENCY} and is
 * derived from the cycle clock, never from the host.
 *
 * <p>Unicorn's own timer follows host time and never interrupts, so the CPU's MRS/MSR hook sends
 * every access to these registers here. EL0 access rights (CNTKCTL_EL1) are checked by the caller.
 */
public final class GenericTimer implements Snapshottable {
    /** CNTFRQ_EL0: 62.5 MHz, as QEMU's virt board. */
    public static final long FREQUENCY = 62_500_000L;

    private static final long CTL_ENABLE = 1, CTL_IMASK = 2, CTL_ISTATUS = 4;

    /** One comparator: CTL / CVAL and its interrupt line. */
    private final class Comparator {
        final String name;
        final String eventId;
        final InterruptLine line;
        long ctl;
        long cval;
        EventQueue.Event pending;
        boolean level;

        Comparator(String name, InterruptLine line) {
            this.name = name;
            this.eventId = "generic-timer." + name;
            this.line = line;
            clock.declare(eventId);
        }

        boolean conditionMet(long count) {
            return Long.compareUnsigned(count, cval) >= 0;
        }

        long ctlValue(long count) {
            return (ctl & (CTL_ENABLE | CTL_IMASK)) | (conditionMet(count) ? CTL_ISTATUS : 0);
        }

        /** Recomputes the output and the event that raises it when the counter reaches CVAL. */
        void update() {
            long count = counter();
            boolean enabled = (ctl & CTL_ENABLE) != 0;
            boolean out = enabled && (ctl & CTL_IMASK) == 0 && conditionMet(count);
            if (out != level) {
                level = out;
                line.set(out);
            }
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
            if (enabled && !conditionMet(count)) {
                long at = counterToCycle(cval);
                if (at != Long.MAX_VALUE) pending = clock.schedule(at, eventId, this::update);
            }
        }
    }

    private final EventQueue clock;
    private final LongSupplier preciseCycle;
    private final GuestLog.Source log;
    private final Comparator phys;
    private final Comparator virt;

    /**
     * @param preciseCycle the current cycle including the part of the running block executed so
     *                     far (timer reads happen mid-block)
     * @param log          the machine's guest log (writes to the read-only counter registers are reported there)
     */
    public GenericTimer(EventQueue clock, LongSupplier preciseCycle, InterruptLine physLine, InterruptLine virtLine, GuestLog log) {
        this.clock = clock;
        this.log = log.source("generic-timer");
        this.preciseCycle = preciseCycle;
        this.phys = new Comparator("CNTP", physLine);
        this.virt = new Comparator("CNTV", virtLine);
    }

    /** The system counter now. */
    public long counter() {
        return Ratio.scale(preciseCycle.getAsLong(), FREQUENCY, clock.cyclesPerSecond());
    }

    private long counterToCycle(long count) {
        return Ratio.scaleUp(count, clock.cyclesPerSecond(), FREQUENCY);
    }

    /** The registers this class implements. */
    public static final java.util.List<SysReg> REGISTERS = java.util.List.of(SysReg.CNTFRQ_EL0, SysReg.CNTPCT_EL0,
            SysReg.CNTVCT_EL0, SysReg.CNTP_TVAL_EL0, SysReg.CNTP_CTL_EL0, SysReg.CNTP_CVAL_EL0, SysReg.CNTV_TVAL_EL0,
            SysReg.CNTV_CTL_EL0, SysReg.CNTV_CVAL_EL0);

    /** True when the encoding is one of the registers this class implements. */
    public static boolean handles(int key) {
        return key == SysReg.CNTFRQ_EL0.key() || key == SysReg.CNTPCT_EL0.key() || key == SysReg.CNTVCT_EL0.key()
                || isTimerRegister(key);
    }

    /** CNTP_* / CNTV_* (as opposed to the counters and CNTFRQ): EL0 access is under EL0PTEN/EL0VTEN. */
    public static boolean isTimerRegister(int key) {
        return key == SysReg.CNTP_TVAL_EL0.key() || key == SysReg.CNTP_CTL_EL0.key() || key == SysReg.CNTP_CVAL_EL0.key()
                || key == SysReg.CNTV_TVAL_EL0.key() || key == SysReg.CNTV_CTL_EL0.key() || key == SysReg.CNTV_CVAL_EL0.key();
    }

    /**
     * Whether EL0 may perform this access under CNTKCTL_EL1 (bits: EL0PCTEN 0, EL0VCTEN 1,
     * EL0VTEN 8, EL0PTEN 9). A denied access is left to the CPU, which traps it to EL1.
     */
    public static boolean el0Allowed(int key, long cntkctl) {
        boolean pct = (cntkctl & 1) != 0, vct = (cntkctl & 2) != 0;
        if (key == SysReg.CNTFRQ_EL0.key()) return pct || vct;
        if (key == SysReg.CNTPCT_EL0.key()) return pct;
        if (key == SysReg.CNTVCT_EL0.key()) return vct;
        if (key == SysReg.CNTV_TVAL_EL0.key() || key == SysReg.CNTV_CTL_EL0.key() || key == SysReg.CNTV_CVAL_EL0.key()) {
            return (cntkctl & (1 << 8)) != 0;
        }
        return (cntkctl & (1 << 9)) != 0;
    }

    public long read(int key) {
        long count = counter();
        if (key == SysReg.CNTFRQ_EL0.key()) return FREQUENCY;
        if (key == SysReg.CNTPCT_EL0.key() || key == SysReg.CNTVCT_EL0.key()) return count;
        Comparator c = comparatorOf(key);
        int op2 = key & 0xf;
        return switch (op2) {
            // TVAL: bits [31:0] of CVAL - count, which software reads as a signed 32-bit value;
            // bits [63:32] are RES0 and read as zero (QEMU returns the same zero-extended value).
            case 0 -> (c.cval - count) & 0xffff_ffffL;
            case 1 -> c.ctlValue(count);
            default -> c.cval;
        };
    }

    public void write(int key, long value) {
        if (key == SysReg.CNTFRQ_EL0.key() || key == SysReg.CNTPCT_EL0.key() || key == SysReg.CNTVCT_EL0.key()) {
            log.guestError("write of 0x%x to read-only counter register (key 0x%x) ignored", value, key);
            return;
        }
        Comparator c = comparatorOf(key);
        int op2 = key & 0xf;
        switch (op2) {
            case 0 -> c.cval = counter() + (long) (int) value;  // TVAL: sign-extended 32 bits
            case 1 -> c.ctl = value & (CTL_ENABLE | CTL_IMASK);
            default -> c.cval = value;
        }
        c.update();
    }

    private Comparator comparatorOf(int key) {
        return ((key >> 4) & 0xf) == 2 ? phys : virt; // CRm 2 = physical, 3 = virtual
    }

    // ---- snapshot --------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return "generic-timer";
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: for CNTP then CNTV: i64 CTL, i64 CVAL, bool output level. Pending events are the clock's. */
    @Override
    public void save(StateWriter out) {
        for (Comparator c : new Comparator[] {phys, virt}) out.i64(c.ctl).i64(c.cval).bool(c.level);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long[] ctl = new long[2], cval = new long[2];
        boolean[] level = new boolean[2];
        for (int i = 0; i < 2; i++) {
            ctl[i] = in.i64("a timer's CTL", 0, CTL_ENABLE | CTL_IMASK);
            cval[i] = in.i64();
            level[i] = in.bool();
        }
        return () -> {
            Comparator[] cs = {phys, virt};
            for (int i = 0; i < 2; i++) {
                Comparator c = cs[i];
                c.ctl = ctl[i];
                c.cval = cval[i];
                c.level = level[i];  // the interrupt controller restores its own copy of the wire
                c.pending = clock.reclaim(c.eventId, c::update);
            }
        };
    }

    /** Timer state for traces and the debugger. */
    @Override
    public String toString() {
        long count = counter();
        return String.format("counter=%d CNTP_CTL=%d CNTP_CVAL=%d CNTV_CTL=%d CNTV_CVAL=%d",
                count, phys.ctlValue(count), phys.cval, virt.ctlValue(count), virt.cval);
    }
}
