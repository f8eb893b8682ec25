package org.vitrine.emulator.cpu;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.testutil.GuestAsm;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interactive runs pace virtual time to the wall clock and sleep while the guest idles; host
 * actions posted from another thread reach an idle guest and wake it. Scripted runs skip idle time.
 */
class PacingTest {
    /** Arms the virtual timer 500 ms ahead (31.25 M ticks), waits for it with WFI, powers off. */
    static final String TIMER_WAIT = """
            .text
            _start:
                ldr x0, =31250000
                msr cntv_tval_el0, x0
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

    @Test
    void scriptedRunSkipsIdleTime() {
        try (Machine m = boot(TIMER_WAIT)) {
            long t0 = System.nanoTime();
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            assertTrue(m.cpu().cycles() >= 500_000_000L, "500 ms of virtual time passed: " + m.cpu().cycles());
            assertTrue(wallMs < 400, "idle time skipped, took " + wallMs + " ms");
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
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            assertTrue(wallMs >= 495 && wallMs < 1500, "500 ms of virtual time took " + wallMs + " ms of wall time");
            // start-up (first translations, class loading) is most of what the thread spends
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
            Thread poster = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                m.cpu().post(() -> {
                    ranAt.set(m.clock().now());
                    m.cpu().requestStop();
                });
            });
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            poster.join();
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
