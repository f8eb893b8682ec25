package org.vitrine.emulator.cpu;

import java.util.EnumMap;
import java.util.Map;

/**
 * Why and how often the run loop left {@code uc_emu_start}, and how many system-instruction
 * upcalls reached Java: the figures behind docs/speed.md. Counting costs a field increment per
 * event, so it is always on; {@code vitrine run -Dvitrine.stats=true} prints it after the run.
 */
public final class RunStatistics {
    /** What ended one {@code uc_emu_start}. */
    public enum Stop {
        /** The next event (timer, device, pacing slice, time limit) was due. */
        DEADLINE,
        /** A synchronous exception was entered from the interrupt hook and the run was ended after it. */
        EXCEPTION,
        /** The interrupt line changed while running (applied to HCR_EL2.VI between runs). */
        IRQ_LINE,
        /** IC IVAU / IC IALLU: translated code dropped between runs. */
        CODE_INVALIDATION,
        /** An action posted by the host (input, a script, a stop). */
        HOST,
        /** The guest executed WFI. */
        WFI,
        /** An access to a hole (taken as an external abort) or an emulation error. */
        ERROR,
        /** A firmware call (PSCI), an abort loop or a debugger stop. */
        OTHER
    }

    private final Map<Stop, Long> stops = new EnumMap<>(Stop.class);
    long runs;
    long mrsUpcalls, msrUpcalls, sysUpcalls;
    long codeInvalidatedInHook;
    /** Of those, done in native code without an upcall (NativeCodeInvalidation). */
    long codeInvalidatedNatively;
    long nativeCounterReads;
    /** SVCs entered by the native interrupt hook (NativeSvcEntry), not from Java. */
    long svcEnteredNatively;

    void stopped(Stop why) {
        runs++;
        stops.merge(why, 1L, Long::sum);
    }

    public long runs() {
        return runs;
    }

    public long stops(Stop why) {
        return stops.getOrDefault(why, 0L);
    }

    /** System-instruction hooks that reached Java (MRS, MSR, SYS). */
    public long systemInstructionUpcalls() {
        return mrsUpcalls + msrUpcalls + sysUpcalls;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("runs (uc_emu_start calls): ").append(runs);
        for (Map.Entry<Stop, Long> e : stops.entrySet()) b.append(", ").append(e.getKey().name().toLowerCase()).append(' ').append(e.getValue());
        b.append("; IC IVAU done without stopping ").append(codeInvalidatedInHook + codeInvalidatedNatively)
                .append(" (natively ").append(codeInvalidatedNatively).append(')');
        b.append("; counter reads answered natively ").append(nativeCounterReads);
        b.append("; SVCs entered natively ").append(svcEnteredNatively);
        b.append("; Java upcalls for MRS ").append(mrsUpcalls).append(", MSR ").append(msrUpcalls).append(", SYS ").append(sysUpcalls);
        return b.toString();
    }
}
