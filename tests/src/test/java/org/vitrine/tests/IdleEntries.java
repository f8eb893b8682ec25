package org.vitrine.tests;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Vitrine's side of {@link QemuLockstep}: counts the times the CPU is about to execute the idle
 * WFI ({@link KernelPoints#idle}), with a Unicorn code hook on that one address (an upcall per
 * idle entry, nothing on other instructions: guest timing is unchanged). QEMU counts the same
 * entries with a TCG plugin callback there.
 */
final class IdleEntries implements AutoCloseable {
    private final Cpu cpu;
    private final Unicorn.Hook hook;
    private int entries, stopAt = -1;

    IdleEntries(Cpu cpu, long wfi) {
        this.cpu = cpu;
        Unicorn uc = cpu.unicorn();
        hook = uc.hookCode(uc.codeStub((address, size) -> {
            if (++entries == stopAt) cpu.requestStop();
        }), wfi, wfi);
        uc.flushTranslations(); // only blocks translated from now on call the hook
    }

    /**
     * Makes the run stop right after the WFI of idle entry {@code k}, even where a timer is armed
     * (the run returns {@link Cpu.ExitKind#STOPPED} without waiting there): input posted then is
     * delivered at that entry's instant, its interrupt taken right after the WFI.
     */
    void stopAt(int k) {
        stopAt = k;
    }

    /** Idle entries so far. */
    int entries() {
        return entries;
    }

    @Override
    public void close() {
        hook.remove();
        cpu.unicorn().flushTranslations();
    }
}
