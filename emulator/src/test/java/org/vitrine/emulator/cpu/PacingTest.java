package org.vitrine.emulator.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.testutil.GuestAsm;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interactive runs pace virtual time to the wall clock and sleep while the guest idles; host
 * actions posted from another thread reach an idle guest and wake it. Scripted runs skip idle time.
 *
 * <p>These tests share a loaded 2-core machine with others: they check what happened and wait on
 * conditions; the few wall-clock bounds left say why they hold under load.
 */
class PacingTest {
    /**
     * A guest that sets the virtual timer's compare value with {@code arm}, enables it, waits for it
     * with WFI and powers off.
     */
    static String timerWait(String arm) {
        return """
                .text
                _start:
                """ + arm + """
                    mov x0, #1                  // enabled; PSTATE.I stays masked, so WFI wakes without an exception
                    msr cntv_ctl_el0, x0
                1:  mrs x0, cntv_ctl_el0
                    tbnz x0, #2, 2f             // ISTATUS
                    wfi
                    b 1b
                2:  ldr x0, =0x84000008
                    mov x1, #0
                    hvc #0
                3:  b 3b
                    .ltorg
                """;
    }

    /** The timer 500 ms ahead (31.25 M ticks at 62.5 MHz). */
    static final String TIMER_WAIT = timerWait("""
                ldr x0, =31250000
                msr cntv_tval_el0, x0
            """);

    /** The timer one hour ahead: through CVAL, as TVAL's 32 bits cannot reach that far. */
    static final String HOUR_WAIT = timerWait("""
                mrs x1, cntvct_el0
                ldr x0, =225000000000       // 3600 s at 62.5 MHz
                add x0, x0, x1
                msr cntv_cval_el0, x0
            """);

    Machine boot(String source) {
        GuestAsm.Program prog = GuestAsm.assemble(source, 0x4008_0000L);
        Machine m = new Machine(0x4000_0000L, 16 << 20, TimingModel.fixedCpi(1_000_000_000L, 1), Unicorn.CpuModel.A72);
        try {
            m.ram().write(prog.base(), prog.image(), 0, prog.image().length);
        } catch (Exception e) {
            m.close();
            throw new IllegalStateException(e);
        }
        m.cpu().attachTimer(l -> { }, m.cpu().irqInput());
        m.reset(prog.symbol("_start"), 0);
        return m;
    }

    /**
     * An hour of idle virtual time passes, and the run ends: it can only have skipped that hour, since
     * the timeout (a failure guard, generous for a loaded host) is a small fraction of it.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void scriptedRunSkipsIdleTime() {
        try (Machine m = boot(HOUR_WAIT)) {
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            assertTrue(m.cpu().cycles() >= 3_600_000_000_000L, "an hour of virtual time passed: " + m.cpu().cycles());
            assertTrue(m.cpu().instructionsRetired() < 100, "the guest waited in WFI, not in a loop: "
                    + m.cpu().instructionsRetired() + " instructions");
        }
    }

    @Test
    void realTimeRunFollowsTheWallClockAndSleepsWhileIdle() {
        try (Machine m = boot(TIMER_WAIT)) {
            m.cpu().setRealTime(true);
            long cpu0 = threadCpuNanos();
            long t0 = System.nanoTime();
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            long cpuMs = (threadCpuNanos() - cpu0) / 1_000_000;
            System.out.printf("[pacing] 500 ms of virtual time, paced: %d ms of wall time, %d ms of the emulation thread's CPU%n",
                    wallMs, cpuMs);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            // Pacing never lets virtual time get ahead of the wall clock; a loaded host only adds to this.
            assertTrue(wallMs >= 495, "500 ms of virtual time took only " + wallMs + " ms of wall time");
            // The upper bound leaves a loaded host seconds of scheduling delay, and still catches pacing
            // in the wrong unit (timer ticks for cycles: 16x, 8 s; nanoseconds for milliseconds: 1000x).
            assertTrue(wallMs < 5_000, "500 ms of virtual time took " + wallMs + " ms of wall time");
            // CPU time, not wall time, so other processes' load does not count; start-up (first
            // translations, class loading) is most of what the thread spends.
            assertTrue(cpuMs < wallMs / 4, "idle guest used " + cpuMs + " ms of the emulation thread's CPU in " + wallMs + " ms");
        }
    }

    /** A guest that idles with nothing scheduled waits for host input instead of hanging. */
    @Test
    void postedHostActionWakesAnIdleGuest() throws Exception {
        String idle = """
                .text
                _start:
                1:  wfi
                    b 1b
                """;
        try (Machine m = boot(idle)) {
            m.cpu().setHostInputOpen(true);
            AtomicLong ranAt = new AtomicLong(-1);
            AtomicBoolean sawIdle = new AtomicBoolean();
            Thread emulation = Thread.currentThread();
            Thread poster = Thread.ofPlatform().start(() -> {
                // The idle guest's thread waits (without a timeout) for host input; post once it does.
                long deadline = System.nanoTime() + 60_000_000_000L;   // a failure guard only
                try {
                    while (emulation.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
                sawIdle.set(emulation.getState() == Thread.State.WAITING);
                m.cpu().post(() -> {
                    ranAt.set(m.clock().now());
                    m.cpu().requestStop();
                });
            });
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            poster.join();
            assertTrue(sawIdle.get(), "the emulation thread never waited for host input");
            assertEquals(Cpu.ExitKind.STOPPED, exit.kind(), exit.message());
            assertTrue(ranAt.get() >= 0, "host action ran on the emulation thread");
        }
        try (Machine m = boot(idle)) {
            assertEquals(Cpu.ExitKind.HANG, m.run(Long.MAX_VALUE).kind(), "without host input the same guest is hung");
        }
    }

    /** CPU time of the emulation thread (this one): JIT and GC threads are not the guest's doing. */
    static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
